// app.js — the reference Miiflow frontend of mfconform's client site. Its
// pages (/app/, /app/login, /app/dashboard) load the real supabase-js
// browser bundle (global `supabase`) and the @supabase/ssr bundle (global
// `supabaseSsr`) first; the page's configuration is the body's data-config
// (url, key, storage, cookieOptions, signOutCookieOptions, chunkSize).
//
// window.mfApp = {signIn(email, password), signOut(), state()} is the app's
// own sign-in and sign-out, as its UI runs them; mfconform calls it on
// /app/ when no login_script drives the sign-in page instead. Every call is
// bounded by STEP_TIMEOUT_MS, never throws, and answers plain JSON without
// the password or any token.
(function () {
  "use strict";

  var STEP_TIMEOUT_MS = 10000;
  // @supabase/ssr's own limit (utils/chunker.js MAX_CHUNK_SIZE) is 3180;
  // the hand-rolled storage below uses the profile's chunkSize instead.
  var DEFAULT_HAND_ROLLED_CHUNK = 3180;

  function config() {
    try {
      return JSON.parse(document.body.getAttribute("data-config") || "{}");
    } catch (_) {
      return {};
    }
  }

  function withTimeout(p, what) {
    var timer;
    var timeout = new Promise(function (_, reject) {
      timer = setTimeout(function () {
        var e = new Error(what + " did not settle within " + STEP_TIMEOUT_MS + " ms");
        e.name = "TimeoutError";
        reject(e);
      }, STEP_TIMEOUT_MS);
    });
    return Promise.race([Promise.resolve().then(p), timeout]).finally(function () { clearTimeout(timer); });
  }

  function cookieOptions(o) {
    var out = {};
    if (!o) { return out; }
    if (o.domain) { out.domain = o.domain; }
    if (o.path) { out.path = o.path; }
    if (o.sameSite) { out.sameSite = o.sameSite; }
    if (o.secure) { out.secure = true; }
    return out;
  }

  // base64url of a string's UTF-8 bytes, and back (what @supabase/ssr's
  // utils/base64url.js does for its "base64-" values).
  function toBase64URL(s) {
    var bytes = new TextEncoder().encode(s), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function fromBase64URL(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return new TextDecoder().decode(bytes);
  }

  function cookieMap() {
    var out = {};
    String(document.cookie || "").split(";").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) { return; }
      var name = part.slice(0, eq).trim();
      try { out[name] = decodeURIComponent(part.slice(eq + 1).trim()); } catch (_) { out[name] = part.slice(eq + 1).trim(); }
    });
    return out;
  }

  function attributes(o, maxAge) {
    var a = "; Path=" + (o.path || "/") + "; Max-Age=" + maxAge + "; SameSite=" + (o.sameSite || "Lax");
    if (o.domain) { a += "; Domain=" + o.domain; }
    if (o.secure) { a += "; Secure"; }
    return a;
  }

  // toBase64 is btoa's standard alphabet (+, / and = padding) over a
  // string's UTF-8 bytes: what a hand-written adapter often uses.
  function toBase64(s) {
    var bytes = new TextEncoder().encode(s), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin);
  }

  // handRolledStorage is a cookie storage adapter for supabase-js written
  // by hand, as apps did before @supabase/ssr: it stores "base64-" + the
  // value in <key>.0, <key>.1, … of chunkSize bytes each, with no regard
  // for the browser's 4096-byte limit on a cookie — base64url, or with
  // standard set btoa's alphabet, which its own reader takes and
  // @supabase/ssr's does not.
  function handRolledStorage(chunkSize, o, standard) {
    var size = chunkSize > 0 ? chunkSize : DEFAULT_HAND_ROLLED_CHUNK;
    function names(key) {
      return Object.keys(cookieMap()).filter(function (n) { return n === key || n.indexOf(key + ".") === 0; });
    }
    return {
      getItem: function (key) {
        var all = cookieMap(), parts = [];
        if (all[key]) { parts.push(all[key]); }
        for (var i = 0; !all[key] && all[key + "." + i]; i++) { parts.push(all[key + "." + i]); }
        var v = parts.join("");
        if (!v) { return null; }
        try { return v.indexOf("base64-") === 0 ? fromBase64URL(v.slice(7)) : v; } catch (_) { return null; }
      },
      setItem: function (key, value) {
        names(key).forEach(function (n) { document.cookie = n + "=" + attributes(o, 0); });
        var v = "base64-" + (standard ? toBase64(value) : toBase64URL(value));
        for (var i = 0; i * size < v.length; i++) {
          document.cookie = key + "." + i + "=" + v.slice(i * size, (i + 1) * size) + attributes(o, 34560000);
        }
      },
      removeItem: function (key) {
        names(key).forEach(function (n) { document.cookie = n + "=" + attributes(o, 0); });
      },
    };
  }

  // noRedirectFetch is fetch that never follows a redirect (the app's
  // clients use it as their fetch, createClient's global.fetch option;
  // @supabase/ssr's createBrowserClient passes it on): every request to
  // the project carries the key, and the sign-in the password; a redirect
  // would send them to wherever it points, another origin included. The
  // redirect is not taken ("manual": an opaque-redirect response) and the
  // request fails with a RedirectRefused error instead.
  function noRedirectFetch(input, init) {
    var opts = Object.assign({}, init || {}, {redirect: "manual"});
    return fetch(input, opts).then(function (res) {
      if (res.type === "opaqueredirect") {
        var e = new Error("the project answered with a redirect; mfconform's client does not follow it");
        e.name = "RedirectRefused";
        throw e;
      }
      return res;
    });
  }

  // client builds the app's Supabase client with cookie options o.
  function client(cfg, o) {
    var global = {fetch: noRedirectFetch};
    switch (cfg.storage) {
      case "localStorage":
        return supabase.createClient(cfg.url, cfg.key, {global: global});
      case "memory":
        return supabase.createClient(cfg.url, cfg.key, {auth: {persistSession: false}, global: global});
      case "handRolledCookies":
        return supabase.createClient(cfg.url, cfg.key, {auth: {storage: handRolledStorage(cfg.chunkSize, o, cfg.base64 === "standard")}, global: global});
      default:
        return supabaseSsr.createBrowserClient(cfg.url, cfg.key, {cookieOptions: cookieOptions(o), isSingleton: false, global: global});
    }
  }

  var main = null;
  function mainClient() {
    var cfg = config();
    if (!main) { main = client(cfg, cfg.cookieOptions); }
    return main;
  }

  function scrub(v, secrets) {
    secrets = secrets.filter(function (s) { return typeof s === "string" && s.length >= 4; });
    if (typeof v === "string") {
      secrets.forEach(function (s) { v = v.split(s).join("[redacted]"); });
      return v;
    }
    if (v && typeof v === "object") {
      var o = Array.isArray(v) ? [] : {};
      Object.keys(v).forEach(function (k) { o[k] = scrub(v[k], secrets); });
      return o;
    }
    return v;
  }

  function describe(e, out) {
    out.ok = false;
    if (!e) { return out; }
    out.name = typeof e.name === "string" ? e.name : "";
    out.message = typeof e.message === "string" ? e.message : String(e);
    out.status = typeof e.status === "number" ? e.status : 0;
    out.code = typeof e.code === "string" ? e.code : "";
    return out;
  }

  function blank() { return {ok: false, status: 0, code: "", name: "", message: "", userId: ""}; }

  // run awaits a supabase-js call answering {data, error} and describes it.
  async function run(what, fn, secrets) {
    var out = blank();
    try {
      var res = await withTimeout(fn, what);
      if (res && res.error) {
        describe(res.error, out);
      } else {
        out.ok = true;
        var d = (res && res.data) || {};
        var user = d.user || (d.session && d.session.user);
        if (user) { out.userId = user.id || ""; }
        if (d.session) { secrets.push(d.session.access_token, d.session.refresh_token); }
      }
    } catch (e) {
      describe(e, out);
    }
    return scrub(out, secrets);
  }

  window.mfApp = {
    signIn: function (email, password) {
      var secrets = [password, config().key];
      return run("signInWithPassword", function () {
        return mainClient().auth.signInWithPassword({email: String(email || ""), password: String(password || "")});
      }, secrets);
    },
    signOut: function () {
      var cfg = config();
      // A sign-out through a client with other cookie options (a shared
      // helper) clears at those options' scope only.
      var c = cfg.signOutCookieOptions ? client(cfg, cfg.signOutCookieOptions) : mainClient();
      // scope "local" ends this browser's session only (apps choose it to
      // keep the user's other devices signed in); the cookies are cleared
      // the same way whatever the scope.
      return run("signOut", function () { return c.auth.signOut({scope: "local"}); }, [cfg.key]);
    },
    state: async function () {
      var out = {signedIn: false, email: ""};
      try {
        var res = await withTimeout(function () { return mainClient().auth.getSession(); }, "getSession");
        var s = res && res.data && res.data.session;
        if (s && s.user) { out.signedIn = true; out.email = s.user.email || ""; }
      } catch (_) { /* not signed in */ }
      return out;
    },
  };

  function wire() {
    var page = document.body.getAttribute("data-page");
    if (page === "login") {
      if (/[?&]signed-out=1\b/.test(location.search)) { document.getElementById("signed-out").hidden = false; }
      var form = document.getElementById("sign-in-form");
      form.addEventListener("submit", async function (e) {
        e.preventDefault();
        var button = document.getElementById("sign-in");
        button.disabled = true;
        var r = await window.mfApp.signIn(document.getElementById("email").value, document.getElementById("password").value);
        if (r.ok) {
          location.assign("/app/dashboard");
          return;
        }
        document.getElementById("error").textContent = "Sign-in failed: " + (r.message || r.name || "unknown error");
        button.disabled = false;
      });
    }
    if (page === "dashboard") {
      window.mfApp.state().then(function (st) {
        document.getElementById("who").textContent = st.signedIn ? "Signed in as " + st.email : "Not signed in";
      });
      document.getElementById("sign-out").addEventListener("click", async function () {
        await window.mfApp.signOut();
        location.assign("/app/login?signed-out=1");
      });
    }
  }
  wire();
})();
