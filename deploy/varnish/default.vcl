vcl 4.1;
# Confnotes front cache (Varnish 7, Debian package `varnish`). Started with the parameters in
# varnishd.params (storage, log mask) by varnishd.sh:
#
#   deploy/varnish/varnishd.sh -a :6081 -f /etc/varnish/default.vcl
#
# Anonymous readers get cached pages; editors (a session or CSRF cookie) and /admin/ go
# straight to the app servers. Wagtail purges what a publish changes with PURGE requests
# (FRONTEND_CACHE_URL=http://127.0.0.1:6081), accepted from loopback only.
# A PURGE of /a/path/ drops every cached variant of that path: any host, any query string
# (so ?page=2 of a listing goes too), http and https.

backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
    # The probe asks "is the app server there", not "is it fast": /healthz waits in the same
    # queue as readers' requests, so a busy (not dead) server answers it late. Sick only after
    # 8 of the last 10 probes failed (about 40 s of refused connections or 5 s timeouts);
    # while sick, cached pages are served up to 6 h stale (grace) instead of being refetched.
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 5s;
        .window = 10;
        .threshold = 3;
        .initial = 3;
    }
}
# More app servers: add backends and put them in a director, e.g.
#   import directors;
#   sub vcl_init { new app = directors.round_robin(); app.add_backend(app1); app.add_backend(app2); }
#   and in vcl_recv: set req.backend_hint = app.backend();

import std;

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "PURGE is not allowed from " + client.ip));
        }
        # Bans are checked on lookup, so this takes effect for the very next request.
        ban("obj.http.x-confnotes-path == " + regsub(req.url, "\?.*$", ""));
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, previews, and what must never be stale or shared.
    if (req.url ~ "^/(admin(/|$)|healthz|documents/)") {
        return (pass);
    }
    # Logged-in editors (sessionid) and anyone holding a CSRF token see uncached pages.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Anonymous readers: analytics or other cookies do not split the cache.
    unset req.http.Cookie;
    # An expired page is served at most 10 s stale while it is refetched in the background;
    # while the app servers are sick, up to the object's grace (6 h).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
    # http:// requests get a redirect to https://, never the page: keep them apart.
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_response {
    # What PURGE matches on (query string dropped: every page of a listing goes at once).
    set beresp.http.x-confnotes-path = regsub(bereq.url, "\?.*$", "");
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (beresp.status >= 500) {
        # Do not cache errors; keep serving the last good copy (grace) while the app recovers.
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    # Compress text once, here, and store it compressed: readers' browsers all accept gzip
    # (Varnish gunzips for the rare client that does not). WhiteNoise's static files arrive
    # already compressed (Content-Encoding set) and are left alone.
    if (!beresp.http.Content-Encoding
        && beresp.http.Content-Type ~ "^(text/|application/([a-z.-]+\+)?(json|xml|javascript)|image/svg\+xml)") {
        set beresp.do_gzip = true;
    }
    if (bereq.url ~ "^/static/") {
        # WhiteNoise already sends a year for hashed names; keep its headers.
        return (deliver);
    }
    if (bereq.url ~ "^/(search|api)/" || bereq.url ~ "\?") {
        # Not purged by URL (any query can produce them): short-lived.
        set beresp.ttl = 60s;
    } elsif (!beresp.http.Cache-Control ~ "max-age") {
        # Pages, listings, feeds, calendars: purged on publish, so they may live long.
        set beresp.ttl = 1h;
    }
    set beresp.grace = 6h;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-confnotes-path;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    return (deliver);
}
