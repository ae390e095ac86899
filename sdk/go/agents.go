package patronus

import (
	"context"
	"fmt"
	"iter"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// EnrollmentTokens: /v1/sites/{id}/enrollment-tokens, one-time tokens bound to a site with which
// the machine that runs the site's agent enrolls. Create returns the secret, once, in Token.
type EnrollmentTokens struct{ raw *api.Client }

// Create makes an enrollment token for the site (ttl, uses and description are optional).
func (e *EnrollmentTokens) Create(ctx context.Context, siteID ID, body api.NewEnrollmentToken, opts ...RequestOption) (*api.EnrollmentTokenCreated, error) {
	return decode[api.EnrollmentTokenCreated](e.raw.AgentsCreateToken(ctx, siteID, body, opts...))
}

// ListPage reads one page of the site's tokens, live or spent (never their secrets).
func (e *EnrollmentTokens) ListPage(ctx context.Context, siteID ID, cursor string, limit int32, opts ...RequestOption) (*Page[api.EnrollmentToken], error) {
	params := &api.AgentsListTokensParams{}
	if cursor != "" {
		params.Cursor = &cursor
	}
	if limit > 0 {
		params.Limit = &limit
	}
	p, err := decode[api.PageEnrollmentToken](e.raw.AgentsListTokens(ctx, siteID, params, opts...))
	if err != nil {
		return nil, err
	}
	items, next := pageItems(p.Items, p.NextCursor)
	page := &Page[api.EnrollmentToken]{Items: items}
	if next != nil {
		page.NextCursor = *next
	}
	return page, nil
}

// List iterates over every token of the site; an error matching ErrNotFound when the site is gone.
func (e *EnrollmentTokens) List(ctx context.Context, siteID ID, opts ...RequestOption) iter.Seq2[*api.EnrollmentToken, error] {
	return func(yield func(*api.EnrollmentToken, error) bool) {
		cursor := ""
		for {
			page, err := e.ListPage(ctx, siteID, cursor, 500, opts...)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Items {
				if !yield(&page.Items[i], nil) {
					return
				}
			}
			if page.NextCursor == "" {
				return
			}
			cursor = page.NextCursor
		}
	}
}

// Get finds one token of the site (the API has no single-token read: this walks the list). An
// error matching ErrNotFound when the site or the token is gone.
func (e *EnrollmentTokens) Get(ctx context.Context, siteID, tokenID ID, opts ...RequestOption) (*api.EnrollmentToken, error) {
	for t, err := range e.List(ctx, siteID, opts...) {
		if err != nil {
			return nil, err
		}
		if t.ID == tokenID {
			return t, nil
		}
	}
	return nil, fmt.Errorf("enrollment token %s of site %s: %w", tokenID, siteID, ErrNotFound)
}

// Revoke deletes the token: it can no longer enroll an agent (ErrNotFound when already gone).
func (e *EnrollmentTokens) Revoke(ctx context.Context, siteID, tokenID ID, opts ...RequestOption) error {
	return noContent(e.raw.AgentsRevokeToken(ctx, siteID, tokenID, opts...))
}

// Status is the site's health as its agent reports it, with the agent and its latest report.
func (s *Sites) Status(ctx context.Context, id ID, opts ...RequestOption) (*api.SiteStatus, error) {
	return decode[api.SiteStatus](s.raw.AgentsSiteStatus(ctx, id, &api.AgentsSiteStatusParams{}, opts...))
}

// Agent is the agent enrolled for the site; an error matching ErrNotFound when there is none.
func (s *Sites) Agent(ctx context.Context, id ID, opts ...RequestOption) (*api.Agent, error) {
	return decode[api.Agent](s.raw.AgentsGetAgent(ctx, id, opts...))
}

// RevokeAgent revokes the site's agent: its credential stops working and its key leaves its
// peers' documents. A new enrollment token enrolls a replacement.
func (s *Sites) RevokeAgent(ctx context.Context, id ID, opts ...RequestOption) error {
	return noContent(s.raw.AgentsRevokeAgent(ctx, id, opts...))
}
