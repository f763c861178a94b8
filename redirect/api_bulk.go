package redirect

// bulkRoutes serve bulk link jobs.
var bulkRoutes []apiRoute
