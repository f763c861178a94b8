package redirect

// bulkRoutes serve bulk link jobs.
var bulkRoutes []apiRoute

// JobsConfig configures bulk link jobs (APIConfig.Jobs).
type JobsConfig struct{}
