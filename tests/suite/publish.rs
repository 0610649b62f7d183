//! Publishing: `_headers` on request, robots.txt only at a domain root, sitemap.xml against the
//! sitemaps.org schema, and "Edit this page" links.
