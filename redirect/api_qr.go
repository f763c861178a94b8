package redirect

// qrRoutes serve QR codes of links.
var qrRoutes []apiRoute
