package patronus

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors to test an *APIError against with errors.Is:
//
//	if errors.Is(err, patronus.ErrNotFound) { ... }
var (
	ErrBadRequest         = errors.New("patronus: bad request")
	ErrUnauthorized       = errors.New("patronus: unauthorized")
	ErrForbidden          = errors.New("patronus: forbidden")
	ErrNotFound           = errors.New("patronus: not found")
	ErrConflict           = errors.New("patronus: conflict")
	ErrPreconditionFailed = errors.New("patronus: precondition failed (stale ETag)")
	ErrValidation         = errors.New("patronus: validation failed")
	ErrRateLimited        = errors.New("patronus: rate limited")
	ErrServer             = errors.New("patronus: server error")
	// ErrConfiguration is returned by New when it has no URL or token.
	ErrConfiguration = errors.New("patronus: configuration")
)

// FieldError is one invalid field: Pointer is a JSON Pointer into the request body
// ("/lan_prefixes/0"), or "/query/<name>" for a query parameter.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// APIError is an error response of the API: its RFC 9457 problem document, decoded.
// Test its kind with errors.Is against ErrNotFound, ErrPreconditionFailed, ErrValidation...,
// or read it with errors.As:
//
//	var apiErr *patronus.APIError
//	if errors.As(err, &apiErr) && apiErr.StatusCode == 422 {
//		for _, f := range apiErr.Errors { fmt.Println(f.Pointer, f.Detail) }
//	}
type APIError struct {
	StatusCode int
	// Type is the stable identifier of the problem, e.g. https://patronus.dev/problems/validation.
	Type   string
	Title  string
	Detail string
	// Errors lists the invalid fields of a validation problem.
	Errors []FieldError
	// Problem is the whole problem document, with any member this SDK does not name.
	Problem   map[string]any
	RequestID string
	Header    http.Header
}

// Kind is the last segment of Type: "validation", "not-found", "precondition-failed"...
func (e *APIError) Kind() string {
	t := strings.TrimRight(e.Type, "/")
	return t[strings.LastIndex(t, "/")+1:]
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "patronus: %d %s", e.StatusCode, e.Title)
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if len(e.Errors) > 0 {
		parts := make([]string, len(e.Errors))
		for i, f := range e.Errors {
			parts[i] = f.Pointer + ": " + f.Detail
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, "; "))
	}
	return b.String()
}

// Is matches the sentinel error of the status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed
	case ErrValidation:
		return e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// IsNotFound reports whether err is (or wraps) a 404, as a Terraform provider asks before it
// drops a resource from its state.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: resp.Header.Get("X-Request-Id")}
	var problem struct {
		Type   string       `json:"type"`
		Title  string       `json:"title"`
		Detail *string      `json:"detail"`
		Errors []FieldError `json:"errors"`
	}
	if json.Unmarshal(body, &problem) == nil {
		e.Type, e.Title, e.Errors = problem.Type, problem.Title, problem.Errors
		if problem.Detail != nil {
			e.Detail = *problem.Detail
		}
		_ = json.Unmarshal(body, &e.Problem)
	} else if len(body) > 0 {
		d := string(body)
		if len(d) > 500 {
			d = d[:500]
		}
		e.Detail = d
	}
	if e.Type == "" {
		e.Type = "about:blank"
	}
	if e.Title == "" {
		e.Title = http.StatusText(resp.StatusCode)
	}
	return e
}
