package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The snippet tests wrap each runnable stack's snippets — the very text the
// fix table shows — in a small program of that stack, run it, and judge
// what it wrote with mfconform's own checks and the reference verifier.
//
// Every program takes one argument:
//
//	login   run Encode and SetCookie in a login handler; print the answer
//	delete  run Delete in a handler; print the answer
//	verify  read one token per line on stdin, send each as mf_jwt_token
//	        to a handler running Verify, print each answer's status
//
// An answer is printed as JSON: {"status": 200, "set_cookie": [...],
// "headers": {...}} (header names in lower case, Set-Cookie apart).

// answer is what a program printed for login or delete.
type answer struct {
	Status    int               `json:"status"`
	SetCookie []string          `json:"set_cookie"`
	Headers   map[string]string `json:"headers"`
}

// python is Debian's Python, which has python3-flask, python3-jwt,
// python3-django and python3-fastapi (make deps); a python3 earlier on
// PATH (pyenv) may not.
const python = "/usr/bin/python3"

// indent indents every line of s by n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// snippets renders a stack's four snippets with the test's vars.
func snippets(t *testing.T, id ID, v Vars) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range []string{"set_cookie", "delete", "encode", "verify"} {
		s, ok := Snippet(id, k, v)
		if !ok {
			t.Fatalf("Snippet(%s, %s) ok = false", id, k)
		}
		out[k] = s
	}
	return out
}

// flaskProgram is a Flask app driven by Flask's test client.
func flaskProgram(s map[string]string) string {
	return `import json, os, sys
import jwt
from flask import Flask, abort, make_response, request

app = Flask(__name__)

class User:
    id = 42

@app.get("/login")
def login():
    user = User()
    response = make_response("ok")
` + indent(s["encode"], 4) + `
` + indent(s["set_cookie"], 4) + `
    return response

@app.get("/delete")
def delete():
    response = make_response("ok")
` + indent(s["delete"], 4) + `
    return response

@app.get("/me")
def me():
    token = request.cookies.get("mf_jwt_token", "")
` + indent(s["verify"], 4) + `
    return "ok"

client = app.test_client(use_cookies=False)
mode = sys.argv[1]
if mode == "verify":
    for line in sys.stdin:
        r = client.get("/me", headers={"Cookie": "mf_jwt_token=" + line.strip()})
        print(r.status_code, flush=True)
else:
    r = client.get("/" + mode)
    print(json.dumps({"status": r.status_code, "set_cookie": r.headers.getlist("Set-Cookie"),
        "headers": {k.lower(): v for k, v in r.headers.items() if k.lower() != "set-cookie"}}))
`
}

// djangoProgram is a Django project of one module, driven by Django's test
// client. The Set-Cookie lines are what Django's WSGI handler sends.
func djangoProgram(s map[string]string) string {
	return `import json, os, sys
import jwt
import django
from django.conf import settings

settings.configure(DEBUG=False, ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=__name__, MIDDLEWARE=[], SECRET_KEY="mfconform-snippet-test-" + "x" * 40)
django.setup()
from django.http import HttpResponse
from django.test import Client
from django.urls import path

class User:
    id = 42

def login(request):
    user = User()
    response = HttpResponse("ok")
` + indent(s["encode"], 4) + `
` + indent(s["set_cookie"], 4) + `
    return response

def delete(request):
    response = HttpResponse("ok")
` + indent(s["delete"], 4) + `
    return response

def me(request):
    token = request.COOKIES.get("mf_jwt_token", "")
` + indent(s["verify"], 4) + `
    return HttpResponse("ok")

urlpatterns = [path("login", login), path("delete", delete), path("me", me)]

client = Client()
mode = sys.argv[1]
if mode == "verify":
    for line in sys.stdin:
        client.cookies.clear()
        r = client.get("/me", HTTP_COOKIE="mf_jwt_token=" + line.strip())
        print(r.status_code, flush=True)
else:
    r = client.get("/" + mode)
    print(json.dumps({"status": r.status_code, "set_cookie": [m.output(header="").strip() for m in r.cookies.values()],
        "headers": {k.lower(): v for k, v in r.items()}}))
`
}

// fastapiProgram is a FastAPI app driven by Starlette's test client.
func fastapiProgram(s map[string]string) string {
	return `import json, os, sys
import jwt
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.testclient import TestClient

app = FastAPI()

class User:
    id = 42

@app.get("/login")
def login(response: Response):
    user = User()
` + indent(s["encode"], 4) + `
` + indent(s["set_cookie"], 4) + `
    return {"ok": True}

@app.get("/delete")
def delete(response: Response):
` + indent(s["delete"], 4) + `
    return {"ok": True}

@app.get("/me")
def me(request: Request):
    token = request.cookies.get("mf_jwt_token", "")
` + indent(s["verify"], 4) + `
    return {"ok": True}

client = TestClient(app)
mode = sys.argv[1]
if mode == "verify":
    for line in sys.stdin:
        client.cookies.clear()
        r = client.get("/me", headers={"Cookie": "mf_jwt_token=" + line.strip()})
        print(r.status_code, flush=True)
else:
    r = client.get("/" + mode)
    print(json.dumps({"status": r.status_code, "set_cookie": r.headers.get_list("set-cookie"),
        "headers": {k.lower(): v for k, v in r.headers.items() if k.lower() != "set-cookie"}}))
`
}

// nodeDriver is the part of both Node programs that runs the modes:
// handle(path, cookie) returns {status, setCookie, headers}.
const nodeDriver = `
async function main() {
  const mode = process.argv[2];
  if (mode === 'verify') {
    const input = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
    for (const tok of input) {
      const r = await handle('/me', 'mf_jwt_token=' + tok.trim());
      console.log(r.status);
    }
  } else {
    const r = await handle('/' + mode, '');
    console.log(JSON.stringify({ status: r.status, set_cookie: r.setCookie, headers: r.headers }));
  }
  await done();
}
main().catch((err) => { console.error(err); process.exit(1); });
`

// expressProgram is an Express app on a loopback port, asked with Node's
// http client.
func expressProgram(s map[string]string) string {
	return `const express = require('express');
const http = require('http');
const jwt = require('jsonwebtoken');
const app = express();

app.get('/login', (req, res) => {
  const user = { id: 42 };
` + indent(s["encode"], 2) + `
` + indent(s["set_cookie"], 2) + `
  res.send('ok');
});
app.get('/delete', (req, res) => {
` + indent(s["delete"], 2) + `
  res.send('ok');
});
app.get('/me', (req, res) => {
  const pair = (req.headers.cookie || '').split('; ').find((c) => c.startsWith('mf_jwt_token='));
  const token = pair ? pair.slice('mf_jwt_token='.length) : '';
` + indent(s["verify"], 2) + `
  res.send('ok');
});

let server;
const ready = new Promise((resolve) => { server = app.listen(0, '127.0.0.1', resolve); });
async function handle(path, cookie) {
  await ready;
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.address().port, path, headers: cookie ? { cookie } : {} }, (r) => {
      r.resume();
      r.on('end', () => {
        const headers = {};
        for (const [k, v] of Object.entries(r.headers)) if (k !== 'set-cookie') headers[k] = String(v);
        resolve({ status: r.statusCode, setCookie: r.headers['set-cookie'] || [], headers });
      });
    });
    req.on('error', reject);
  });
}
async function done() { server.close(); }
` + nodeDriver
}

// nextProgram runs the Next.js snippets in route-handler functions whose
// response.cookies is @edge-runtime/cookies' ResponseCookies, the class
// Next.js vendors for NextResponse.cookies.
func nextProgram(s map[string]string) string {
	return `const { ResponseCookies } = require('@edge-runtime/cookies');
const jwt = require('jsonwebtoken');

function newResponse() {
  const headers = new Headers();
  return { status: 200, headers, cookies: new ResponseCookies(headers) };
}
async function login() {
  const user = { id: 42 };
  const response = newResponse();
` + indent(s["encode"], 2) + `
` + indent(s["set_cookie"], 2) + `
  return response;
}
async function remove() {
  const response = newResponse();
` + indent(s["delete"], 2) + `
  return response;
}
async function me(token) {
` + indent(s["verify"], 2) + `
  return new Response('ok', { status: 200 });
}
async function handle(path, cookie) {
  if (path === '/me') {
    const r = await me(cookie.slice('mf_jwt_token='.length));
    return { status: r.status, setCookie: [], headers: {} };
  }
  const r = path === '/login' ? await login() : await remove();
  return { status: r.status, setCookie: r.headers.getSetCookie(), headers: {} };
}
async function done() {}
` + nodeDriver
}

// goProgram is a net/http program whose handlers are called through
// httptest.
func goProgram(s map[string]string) string {
	return `package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var _ = time.Second

func login(w http.ResponseWriter, r *http.Request) {
	userID := "42"
` + indent(s["encode"], 1) + `
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
` + indent(s["set_cookie"], 1) + `
	fmt.Fprint(w, "ok")
}

func remove(w http.ResponseWriter, r *http.Request) {
` + indent(s["delete"], 1) + `
	fmt.Fprint(w, "ok")
}

func me(w http.ResponseWriter, r *http.Request) {
	token := ""
	if c, err := r.Cookie("mf_jwt_token"); err == nil {
		token = c.Value
	}
` + indent(s["verify"], 1) + `
	fmt.Fprint(w, "ok")
}

func serve(h http.HandlerFunc, cookie string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "https://login.acme.test/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	h(rec, req)
	return rec
}

func main() {
	switch os.Args[1] {
	case "verify":
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			fmt.Println(serve(me, "mf_jwt_token="+strings.TrimSpace(sc.Text())).Code)
		}
	default:
		h := login
		if os.Args[1] == "delete" {
			h = remove
		}
		rec := serve(h, "")
		headers := map[string]string{}
		for k, v := range rec.Header() {
			if k != "Set-Cookie" {
				headers[strings.ToLower(k)] = strings.Join(v, ", ")
			}
		}
		_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"status": rec.Code, "set_cookie": rec.Header().Values("Set-Cookie"), "headers": headers})
	}
}
`
}

// program is how to build and run one stack's program.
type program struct {
	// source builds the program from the snippets; file is its name.
	source func(map[string]string) string
	file   string
	// run returns the command for a built program in dir.
	run func(ctx context.Context, t *testing.T, dir string, mode string) *exec.Cmd
	// build prepares dir (the Go program compiles once).
	build func(ctx context.Context, t *testing.T, dir string)
}

// repoRoot is the module root, where node_modules and go.sum live.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func pythonRun(ctx context.Context, _ *testing.T, dir, mode string) *exec.Cmd {
	return exec.CommandContext(ctx, python, filepath.Join(dir, "prog.py"), mode)
}

func nodeRun(ctx context.Context, t *testing.T, dir, mode string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "prog.js"), mode)
	cmd.Env = append(cmd.Environ(), "NODE_PATH="+filepath.Join(repoRoot(t), "node_modules"))
	return cmd
}

// goBuild writes a module that requires the golang-jwt version mfconform
// pins, with its go.sum lines, and compiles it offline.
func goBuild(ctx context.Context, t *testing.T, dir string) {
	t.Helper()
	sum, err := os.ReadFile(filepath.Join(repoRoot(t), "go.sum"))
	if err != nil {
		t.Fatalf("read go.sum: %v", err)
	}
	var lines []string
	version := ""
	for _, l := range strings.Split(string(sum), "\n") {
		if strings.HasPrefix(l, "github.com/golang-jwt/jwt/v5 ") {
			lines = append(lines, l)
			version = strings.Fields(l)[1]
		}
	}
	version = strings.TrimSuffix(version, "/go.mod")
	mod := "module snippet\n\ngo 1.24\n\nrequire github.com/golang-jwt/jwt/v5 " + version + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", "prog", ".")
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the Go snippets: %v\n%s", err, out)
	}
}

func goRun(ctx context.Context, _ *testing.T, dir, mode string) *exec.Cmd {
	return exec.CommandContext(ctx, filepath.Join(dir, "prog"), mode)
}

var programs = map[ID]program{
	Flask:     {source: flaskProgram, file: "prog.py", run: pythonRun},
	Django:    {source: djangoProgram, file: "prog.py", run: pythonRun},
	FastAPI:   {source: fastapiProgram, file: "prog.py", run: pythonRun},
	Express:   {source: expressProgram, file: "prog.js", run: nodeRun},
	NextJS:    {source: nextProgram, file: "prog.js", run: nodeRun},
	GoNetHTTP: {source: goProgram, file: "main.go", run: goRun, build: goBuild},
}

// built is a stack's program written (and compiled) in a folder.
type built struct {
	p   program
	dir string
}

// buildProgram writes id's program with the snippets rendered with v.
func buildProgram(ctx context.Context, t *testing.T, id ID, v Vars) built {
	t.Helper()
	p, ok := programs[id]
	if !ok {
		t.Fatalf("no test program for %s", id)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, p.file), []byte(p.source(snippets(t, id, v))), 0o644); err != nil {
		t.Fatal(err)
	}
	if p.build != nil {
		p.build(ctx, t, dir)
	}
	return built{p: p, dir: dir}
}

// exec runs the program in mode with stdin and the test key in the
// environment, bounded by ctx; extra adds environment variables.
func (b built) exec(ctx context.Context, t *testing.T, mode, stdin string, extra ...string) string {
	t.Helper()
	cmd := b.p.run(ctx, t, b.dir, mode)
	if cmd.Env == nil {
		cmd.Env = cmd.Environ()
	}
	cmd.Env = append(cmd.Env, "AUTH_SECRET_KEY="+testSecret)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nprogram:\n%s", b.p.file, mode, err, errb.String(), b.source(t))
	}
	return out.String()
}

func (b built) source(t *testing.T) string {
	s, _ := os.ReadFile(filepath.Join(b.dir, b.p.file))
	return string(s)
}

// answerOf runs login or delete and decodes the answer.
func (b built) answerOf(ctx context.Context, t *testing.T, mode string) answer {
	t.Helper()
	out := b.exec(ctx, t, mode, "")
	var a answer
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &a); err != nil {
		t.Fatalf("%s %s printed %q: %v", b.p.file, mode, out, err)
	}
	return a
}

// programTimeout bounds one program run (the Go one compiles first).
const programTimeout = 2 * time.Minute
