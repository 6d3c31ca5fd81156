vcl 4.1;
# Confnotes front cache (Varnish 7, Debian package `varnish`).
#
#   varnishd -a :6081 -f /etc/varnish/default.vcl -s malloc,256m
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
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}
# More app servers: add backends and put them in a director, e.g.
#   import directors;
#   sub vcl_init { new app = directors.round_robin(); app.add_backend(app1); app.add_backend(app2); }
#   and in vcl_recv: set req.backend_hint = app.backend();

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
    if (req.url ~ "^/admin(/|$)" || req.url ~ "^/healthz" || req.url ~ "^/documents/") {
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
