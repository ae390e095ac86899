package patronus

import (
	"context"
	"iter"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// Path health: what the site's agent measures on each path (a local link towards one endpoint of
// a peer) and reports in its status. Nothing here is measured by the server; a site whose agent
// never reported has no paths, no history and no failover events.

// Paths is every path of the site as its agent last reported it, by peer then link: up or down,
// whether unclassified traffic uses it, RTT, jitter and loss. ReportedAt is null (and Paths
// empty) before the first report; an error matching ErrNotFound when there is no such site.
func (s *Sites) Paths(ctx context.Context, id ID, opts ...RequestOption) (*api.SitePaths, error) {
	return decode[api.SitePaths](s.raw.PathsCurrent(ctx, id, &api.PathsCurrentParams{}, opts...))
}

// PathHistory is the site's path history: per path, the mean RTT, jitter and loss and the share
// of samples in which the path was up, in intervals of params.Step seconds (a multiple of 60 up to
// 86400, default 60) between params.From (default: an hour before To) and params.To (default:
// now). Intervals without samples are left out. params may be nil, and filters by peer
// (PeerSiteID) and local link (Link). One-minute samples are kept two days, hourly ones 30 days;
// a step, window or link the server refuses is an error matching ErrValidation whose Errors name
// the query parameter (e.g. "/query/step").
func (s *Sites) PathHistory(ctx context.Context, id ID, params *api.PathsHistoryParams, opts ...RequestOption) (*api.PathHistory, error) {
	q := api.PathsHistoryParams{}
	if params != nil {
		q = *params
	}
	return decode[api.PathHistory](s.raw.PathsHistory(ctx, id, &q, opts...))
}

// FailoverEventsPage reads one page of the path changes the site's agent reported (kept 30
// days), in the order the server received them. params holds the filters (PeerSiteID, Policy,
// Since, Until) and Limit (1 to 500, default 100); pass the NextCursor of a page back as cursor
// for the next one.
func (s *Sites) FailoverEventsPage(ctx context.Context, id ID, params *api.PathsFailoverEventsParams, cursor string, opts ...RequestOption) (*Page[api.FailoverEventRecord], error) {
	q := api.PathsFailoverEventsParams{}
	if params != nil {
		q = *params
	}
	q.Cursor = nil
	if cursor != "" {
		q.Cursor = &cursor
	}
	p, err := decode[api.PageFailoverEventRecord](s.raw.PathsFailoverEvents(ctx, id, &q, opts...))
	if err != nil {
		return nil, err
	}
	items, next := pageItems(p.Items, p.NextCursor)
	page := &Page[api.FailoverEventRecord]{Items: items}
	if next != nil {
		page.NextCursor = *next
	}
	return page, nil
}

// FailoverEvents iterates over every path change of the site that matches params (nil: all),
// fetching page after page as the loop advances (params.Limit is the page size). An error ends
// the iteration; one matching ErrNotFound when there is no such site.
func (s *Sites) FailoverEvents(ctx context.Context, id ID, params *api.PathsFailoverEventsParams, opts ...RequestOption) iter.Seq2[*api.FailoverEventRecord, error] {
	return func(yield func(*api.FailoverEventRecord, error) bool) {
		cursor := ""
		for {
			page, err := s.FailoverEventsPage(ctx, id, params, cursor, opts...)
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

// AllFailoverEvents collects what FailoverEvents yields.
func (s *Sites) AllFailoverEvents(ctx context.Context, id ID, params *api.PathsFailoverEventsParams, opts ...RequestOption) ([]api.FailoverEventRecord, error) {
	var out []api.FailoverEventRecord
	for e, err := range s.FailoverEvents(ctx, id, params, opts...) {
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}
