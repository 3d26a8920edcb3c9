// entry.mjs — the entry point esbuild bundles at `make deps` into
// build/browser/supabase-ssr.js (see the Makefile): @supabase/ssr's browser
// client, with the supabase-js it imports, as one script that defines the
// global `supabaseSsr`. The reference app page (app.js) loads it to keep its
// session in cookies exactly as a Next.js frontend using @supabase/ssr does.
// Nothing of mfconform's is bundled: the code is the published package's.
export { createBrowserClient } from "@supabase/ssr";
export { VERSION } from "@supabase/ssr/dist/module/version.js";
