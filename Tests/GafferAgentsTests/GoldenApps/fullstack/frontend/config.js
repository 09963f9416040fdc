// Where the API is. CloudFront serves it under /api on the page's own origin; a laptop may
// point this at another address (and start the service with CORS_ORIGINS set to the page's).
window.API_BASE = "/api";
