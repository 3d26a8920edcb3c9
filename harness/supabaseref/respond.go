package supabaseref

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// apiVersionHeader is the header supabase-js sends (and GoTrue echoes) to
// select the error body shape.
const apiVersionHeader = "X-Supabase-Api-Version"

// apiVersion20240101 is the first API version with the new error shape.
var apiVersion20240101 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// apiError is an auth API error: an HTTP status, a GoTrue error code and a
// message; weakReasons marks GoTrue's WeakPasswordError.
type apiError struct {
	status      int
	code        string
	msg         string
	weakReasons []string
}

func (e *apiError) Error() string { return strconv.Itoa(e.status) + " " + e.code + ": " + e.msg }

// newAPIError returns an auth API error.
func newAPIError(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, msg: msg}
}

// newWeakPasswordError returns GoTrue's WeakPasswordError (internal/api/
// password.go): 422 weak_password with the reasons.
func newWeakPasswordError(msg string, reasons ...string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, code: "weak_password", msg: msg, weakReasons: reasons}
}

// errorBodyInitial is GoTrue's error body without an API version.
type errorBodyInitial struct {
	Code        int           `json:"code"`
	ErrorCode   string        `json:"error_code"`
	Msg         string        `json:"msg"`
	WeakPayload *weakPassword `json:"weak_password,omitempty"`
}

// errorBody20240101 is GoTrue's error body for API version 2024-01-01.
type errorBody20240101 struct {
	Code        string        `json:"code"`
	Message     string        `json:"message"`
	WeakPayload *weakPassword `json:"weak_password,omitempty"`
}

// weakPassword is the weak_password member of a WeakPasswordError body.
type weakPassword struct {
	Reasons []string `json:"reasons,omitempty"`
}

// writeAPIError writes e in the shape the request's API version selects,
// with the x-sb-error-code header, as GoTrue internal/api/errors.go
// HandleResponseError does (which leaves the header off a weak_password
// error in the 2024-01-01 shape).
func writeAPIError(w http.ResponseWriter, r *http.Request, e *apiError) {
	var weak *weakPassword
	if e.weakReasons != nil {
		weak = &weakPassword{Reasons: e.weakReasons}
	}
	if newErrorShape(r) {
		if weak == nil {
			w.Header().Set("x-sb-error-code", e.code)
		}
		w.Header().Set(apiVersionHeader, "2024-01-01")
		writeJSON(w, e.status, errorBody20240101{Code: e.code, Message: e.msg, WeakPayload: weak})
		return
	}
	w.Header().Set("x-sb-error-code", e.code)
	writeJSON(w, e.status, errorBodyInitial{Code: e.status, ErrorCode: e.code, Msg: e.msg, WeakPayload: weak})
}

// newErrorShape reports whether the request names API version 2024-01-01 or
// later (GoTrue falls back to the initial version on anything unparsable).
func newErrorShape(r *http.Request) bool {
	v, err := time.Parse(time.DateOnly, r.Header.Get(apiVersionHeader))
	return err == nil && !v.Before(apiVersion20240101)
}

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
