package patronus

import (
	"context"
	"fmt"
	"iter"
	"net/http"

	"github.com/oapi-codegen/nullable"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

type (
	getFn                func(ctx context.Context, id ID, e ...api.RequestEditorFn) (*http.Response, error)
	createFn[N any]      func(ctx context.Context, body N, e ...api.RequestEditorFn) (*http.Response, error)
	updateFn[U any]      func(ctx context.Context, id ID, ifMatch *string, body U, e ...api.RequestEditorFn) (*http.Response, error)
	deleteFn             func(ctx context.Context, id ID, ifMatch *string, e ...api.RequestEditorFn) (*http.Response, error)
	listFn[T any, P any] func(ctx context.Context, params P, cursor *string, e ...api.RequestEditorFn) (*http.Response, error)
	pageOf[T any]        func(resp *http.Response, err error) ([]T, *string, error)
	withName[P any]      func(name string) P
	crud[T, N, U, P any] struct{ ops[T, N, U, P] }
	ops[T, N, U, P any]  struct {
		kind   string
		get    getFn
		create createFn[N]
		update updateFn[U]
		del    deleteFn
		list   listFn[T, P]
		page   pageOf[T]
		byName withName[P]
	}
)

// Page is one page of a list. Pass NextCursor back (ListPage) to get the next; it is "" on the
// last page.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// Get reads one object; an error matching ErrNotFound when there is none.
func (c *crud[T, N, U, P]) Get(ctx context.Context, id ID, opts ...RequestOption) (*T, error) {
	return decode[T](c.get(ctx, id, opts...))
}

// Create creates an object. The POST carries an Idempotency-Key (WithIdempotencyKey, or a fresh
// UUID), so the client's retries never create it twice.
func (c *crud[T, N, U, P]) Create(ctx context.Context, body N, opts ...RequestOption) (*T, error) {
	return decode[T](c.create(ctx, body, opts...))
}

// Update PATCHes an object: absent (unset) fields keep their value. With a non-empty ifMatch
// (the Etag read earlier) the server refuses with ErrPreconditionFailed when the object changed
// since.
func (c *crud[T, N, U, P]) Update(ctx context.Context, id ID, patch U, ifMatch string, opts ...RequestOption) (*T, error) {
	return decode[T](c.update(ctx, id, ifMatchParam(ifMatch), patch, opts...))
}

// Delete deletes an object (ErrNotFound when it is already gone); ifMatch as for Update.
func (c *crud[T, N, U, P]) Delete(ctx context.Context, id ID, ifMatch string, opts ...RequestOption) error {
	return noContent(c.del(ctx, id, ifMatchParam(ifMatch), opts...))
}

// ListPage reads one page of the list; params holds the filters and Limit (1 to 500, default 100).
func (c *crud[T, N, U, P]) ListPage(ctx context.Context, params P, cursor string, opts ...RequestOption) (*Page[T], error) {
	var cur *string
	if cursor != "" {
		cur = &cursor
	}
	items, next, err := c.page(c.list(ctx, params, cur, opts...))
	if err != nil {
		return nil, err
	}
	p := &Page[T]{Items: items}
	if next != nil {
		p.NextCursor = *next
	}
	return p, nil
}

// List iterates over every object that matches params (nil: all), fetching page after page as
// the loop advances (params.Limit is the page size). An error ends the iteration:
//
//	for site, err := range client.Sites.List(ctx, &api.SitesListParams{Label: patronus.Ptr("env=prod")}) {
//		if err != nil { return err }
//		...
//	}
func (c *crud[T, N, U, P]) List(ctx context.Context, params P, opts ...RequestOption) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		cursor := ""
		for {
			page, err := c.ListPage(ctx, params, cursor, opts...)
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

// All collects what List yields.
func (c *crud[T, N, U, P]) All(ctx context.Context, params P, opts ...RequestOption) ([]T, error) {
	var out []T
	for v, err := range c.List(ctx, params, opts...) {
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

func (c *crud[T, N, U, P]) lookup(ctx context.Context, name string, opts ...RequestOption) (*T, error) {
	page, err := c.ListPage(ctx, c.byName(name), "", opts...)
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, fmt.Errorf("%s %q: %w", c.kind, name, ErrNotFound)
	}
	return &page.Items[0], nil
}

func pageItems[T any](items []T, next nullable.Nullable[string]) ([]T, *string) {
	if v, err := next.Get(); err == nil && v != "" {
		return items, &v
	}
	return items, nil
}

func limitOne() *int32 { one := int32(1); return &one }

// Sites: /v1/sites, the tenant's sites.
type Sites struct {
	crud[api.Site, api.NewSite, api.SiteUpdate, *api.SitesListParams]
	raw *api.Client
}

func newSites(raw *api.Client) *Sites {
	return &Sites{raw: raw, crud: crud[api.Site, api.NewSite, api.SiteUpdate, *api.SitesListParams]{ops[api.Site, api.NewSite, api.SiteUpdate, *api.SitesListParams]{
		kind:   "site",
		get:    raw.SitesGet,
		create: raw.SitesCreate,
		update: func(ctx context.Context, id ID, m *string, b api.SiteUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.SitesUpdate(ctx, id, &api.SitesUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.SitesDelete(ctx, id, &api.SitesDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.SitesListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.SitesListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.SitesList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.Site, *string, error) {
			p, err := decode[api.PageSite](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(name string) *api.SitesListParams { return &api.SitesListParams{Name: &name, Limit: limitOne()} },
	}}}
}

// LookupByName finds the site with this name; an error matching ErrNotFound when there is none.
func (s *Sites) LookupByName(ctx context.Context, name string, opts ...RequestOption) (*api.Site, error) {
	return s.lookup(ctx, name, opts...)
}

// Config is the compiled document the site's agent receives, with its content hash and revision.
func (s *Sites) Config(ctx context.Context, id ID, opts ...RequestOption) (*api.CompiledConfig, error) {
	return decode[api.CompiledConfig](s.raw.SitesConfig(ctx, id, opts...))
}

// Links: /v1/links, the WAN links of sites. In an update, Endpoint: Null[string]() removes the
// endpoint (the link went behind NAT).
type Links struct {
	crud[api.Link, api.NewLink, api.LinkUpdate, *api.LinksListParams]
}

func newLinks(raw *api.Client) *Links {
	return &Links{crud[api.Link, api.NewLink, api.LinkUpdate, *api.LinksListParams]{ops[api.Link, api.NewLink, api.LinkUpdate, *api.LinksListParams]{
		kind:   "link",
		get:    raw.LinksGet,
		create: raw.LinksCreate,
		update: func(ctx context.Context, id ID, m *string, b api.LinkUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.LinksUpdate(ctx, id, &api.LinksUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.LinksDelete(ctx, id, &api.LinksDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.LinksListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.LinksListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.LinksList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.Link, *string, error) {
			p, err := decode[api.PageLink](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
	}}}
}

// LookupByName finds the link of a site by name (link names are unique within their site).
func (l *Links) LookupByName(ctx context.Context, siteID ID, name string, opts ...RequestOption) (*api.Link, error) {
	page, err := l.ListPage(ctx, &api.LinksListParams{SiteID: &siteID, Name: &name, Limit: limitOne()}, "", opts...)
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, fmt.Errorf("link %q of site %s: %w", name, siteID, ErrNotFound)
	}
	return &page.Items[0], nil
}

// QosClasses: /v1/qos-classes.
type QosClasses struct {
	crud[api.QosClass, api.NewQosClass, api.QosClassUpdate, *api.QosClassesListParams]
}

func newQosClasses(raw *api.Client) *QosClasses {
	return &QosClasses{crud[api.QosClass, api.NewQosClass, api.QosClassUpdate, *api.QosClassesListParams]{ops[api.QosClass, api.NewQosClass, api.QosClassUpdate, *api.QosClassesListParams]{
		kind:   "QoS class",
		get:    raw.QosClassesGet,
		create: raw.QosClassesCreate,
		update: func(ctx context.Context, id ID, m *string, b api.QosClassUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.QosClassesUpdate(ctx, id, &api.QosClassesUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.QosClassesDelete(ctx, id, &api.QosClassesDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.QosClassesListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.QosClassesListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.QosClassesList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.QosClass, *string, error) {
			p, err := decode[api.PageQosClass](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(name string) *api.QosClassesListParams {
			return &api.QosClassesListParams{Name: &name, Limit: limitOne()}
		},
	}}}
}

// LookupByName finds the QoS class with this name; an error matching ErrNotFound when there is none.
func (q *QosClasses) LookupByName(ctx context.Context, name string, opts ...RequestOption) (*api.QosClass, error) {
	return q.lookup(ctx, name, opts...)
}

// Applications: /v1/applications, the tenant's own applications.
type Applications struct {
	crud[api.TenantApplication, api.NewTenantApplication, api.TenantApplicationUpdate, *api.ApplicationsListParams]
}

func newApplications(raw *api.Client) *Applications {
	return &Applications{crud[api.TenantApplication, api.NewTenantApplication, api.TenantApplicationUpdate, *api.ApplicationsListParams]{ops[api.TenantApplication, api.NewTenantApplication, api.TenantApplicationUpdate, *api.ApplicationsListParams]{
		kind:   "application",
		get:    raw.ApplicationsGet,
		create: raw.ApplicationsCreate,
		update: func(ctx context.Context, id ID, m *string, b api.TenantApplicationUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.ApplicationsUpdate(ctx, id, &api.ApplicationsUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.ApplicationsDelete(ctx, id, &api.ApplicationsDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.ApplicationsListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.ApplicationsListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.ApplicationsList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.TenantApplication, *string, error) {
			p, err := decode[api.PageTenantApplication](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(name string) *api.ApplicationsListParams {
			return &api.ApplicationsListParams{Name: &name, Limit: limitOne()}
		},
	}}}
}

// LookupByName finds the tenant's application with this name; an error matching ErrNotFound when
// there is none (built-in applications are not resources and are never found).
func (a *Applications) LookupByName(ctx context.Context, name string, opts ...RequestOption) (*api.TenantApplication, error) {
	return a.lookup(ctx, name, opts...)
}

// Policies: /v1/policies.
type Policies struct {
	crud[api.Policy, api.NewPolicy, api.PolicyUpdate, *api.PoliciesListParams]
}

func newPolicies(raw *api.Client) *Policies {
	return &Policies{crud[api.Policy, api.NewPolicy, api.PolicyUpdate, *api.PoliciesListParams]{ops[api.Policy, api.NewPolicy, api.PolicyUpdate, *api.PoliciesListParams]{
		kind:   "policy",
		get:    raw.PoliciesGet,
		create: raw.PoliciesCreate,
		update: func(ctx context.Context, id ID, m *string, b api.PolicyUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.PoliciesUpdate(ctx, id, &api.PoliciesUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.PoliciesDelete(ctx, id, &api.PoliciesDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.PoliciesListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.PoliciesListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.PoliciesList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.Policy, *string, error) {
			p, err := decode[api.PagePolicy](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(name string) *api.PoliciesListParams {
			return &api.PoliciesListParams{Name: &name, Limit: limitOne()}
		},
	}}}
}

// LookupByName finds the policy with this name; an error matching ErrNotFound when there is none.
func (p *Policies) LookupByName(ctx context.Context, name string, opts ...RequestOption) (*api.Policy, error) {
	return p.lookup(ctx, name, opts...)
}

// Peerings: /v1/peerings, explicit pairs of sites on top of the topology mode.
type Peerings struct {
	crud[api.Peering, api.NewPeering, api.PeeringUpdate, *api.PeeringsListParams]
}

func newPeerings(raw *api.Client) *Peerings {
	return &Peerings{crud[api.Peering, api.NewPeering, api.PeeringUpdate, *api.PeeringsListParams]{ops[api.Peering, api.NewPeering, api.PeeringUpdate, *api.PeeringsListParams]{
		kind:   "peering",
		get:    raw.PeeringsGet,
		create: raw.PeeringsCreate,
		update: func(ctx context.Context, id ID, m *string, b api.PeeringUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.PeeringsUpdate(ctx, id, &api.PeeringsUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.PeeringsDelete(ctx, id, &api.PeeringsDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.PeeringsListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.PeeringsListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.PeeringsList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.Peering, *string, error) {
			p, err := decode[api.PagePeering](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(name string) *api.PeeringsListParams {
			return &api.PeeringsListParams{Name: &name, Limit: limitOne()}
		},
	}}}
}

// LookupByName finds the peering with this name; an error matching ErrNotFound when there is none.
func (p *Peerings) LookupByName(ctx context.Context, name string, opts ...RequestOption) (*api.Peering, error) {
	return p.lookup(ctx, name, opts...)
}

// Users: /v1/users (admin).
type Users struct {
	crud[api.User, api.NewUser, api.UserUpdate, *api.UsersListParams]
	raw *api.Client
}

func newUsers(raw *api.Client) *Users {
	return &Users{raw: raw, crud: crud[api.User, api.NewUser, api.UserUpdate, *api.UsersListParams]{ops[api.User, api.NewUser, api.UserUpdate, *api.UsersListParams]{
		kind:   "user",
		get:    raw.UsersGet,
		create: raw.UsersCreate,
		update: func(ctx context.Context, id ID, m *string, b api.UserUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.UsersUpdate(ctx, id, &api.UsersUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.UsersDelete(ctx, id, &api.UsersDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.UsersListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.UsersListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.UsersList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.User, *string, error) {
			p, err := decode[api.PageUser](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(email string) *api.UsersListParams {
			return &api.UsersListParams{Email: &email, Limit: limitOne()}
		},
	}}}
}

// LookupByEmail finds the user with this email; an error matching ErrNotFound when there is none.
func (u *Users) LookupByEmail(ctx context.Context, email string, opts ...RequestOption) (*api.User, error) {
	return u.lookup(ctx, email, opts...)
}

// SetPassword sets a user's password (admins may set anyone's; users their own, giving
// CurrentPassword when they have one). The user's ETag changes.
func (u *Users) SetPassword(ctx context.Context, id ID, change api.PasswordChange, opts ...RequestOption) error {
	return noContent(u.raw.UsersSetPassword(ctx, id, change, opts...))
}

// APITokens: /v1/api-tokens (admin). Create returns the secret, once, in Token.
type APITokens struct {
	crud[api.APIToken, api.NewAPIToken, api.APITokenUpdate, *api.APITokensListParams]
	raw *api.Client
}

func newAPITokens(raw *api.Client) *APITokens {
	return &APITokens{raw: raw, crud: crud[api.APIToken, api.NewAPIToken, api.APITokenUpdate, *api.APITokensListParams]{ops[api.APIToken, api.NewAPIToken, api.APITokenUpdate, *api.APITokensListParams]{
		kind:   "API token",
		get:    raw.APITokensGet,
		create: raw.APITokensCreate,
		update: func(ctx context.Context, id ID, m *string, b api.APITokenUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.APITokensUpdate(ctx, id, &api.APITokensUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.APITokensDelete(ctx, id, &api.APITokensDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.APITokensListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.APITokensListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.APITokensList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.APIToken, *string, error) {
			p, err := decode[api.PageAPIToken](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(name string) *api.APITokensListParams {
			return &api.APITokensListParams{Name: &name, Limit: limitOne()}
		},
	}}}
}

// CreateWithSecret creates a token and returns it with its secret (shown this once).
func (t *APITokens) CreateWithSecret(ctx context.Context, body api.NewAPIToken, opts ...RequestOption) (*api.APITokenCreated, error) {
	return decode[api.APITokenCreated](t.raw.APITokensCreate(ctx, body, opts...))
}

// LookupByName finds the token with this name; an error matching ErrNotFound when there is none.
func (t *APITokens) LookupByName(ctx context.Context, name string, opts ...RequestOption) (*api.APIToken, error) {
	return t.lookup(ctx, name, opts...)
}

// Tenants: /v1/tenants, with a platform token.
type Tenants struct {
	crud[api.Tenant, api.NewTenant, api.TenantUpdate, *api.TenantsListParams]
	raw *api.Client
}

func newTenants(raw *api.Client) *Tenants {
	return &Tenants{raw: raw, crud: crud[api.Tenant, api.NewTenant, api.TenantUpdate, *api.TenantsListParams]{ops[api.Tenant, api.NewTenant, api.TenantUpdate, *api.TenantsListParams]{
		kind:   "tenant",
		get:    raw.TenantsGet,
		create: raw.TenantsCreate,
		update: func(ctx context.Context, id ID, m *string, b api.TenantUpdate, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.TenantsUpdate(ctx, id, &api.TenantsUpdateParams{IfMatch: m}, b, e...)
		},
		del: func(ctx context.Context, id ID, m *string, e ...api.RequestEditorFn) (*http.Response, error) {
			return raw.TenantsDelete(ctx, id, &api.TenantsDeleteParams{IfMatch: m}, e...)
		},
		list: func(ctx context.Context, p *api.TenantsListParams, cursor *string, e ...api.RequestEditorFn) (*http.Response, error) {
			q := api.TenantsListParams{}
			if p != nil {
				q = *p
			}
			q.Cursor = cursor
			return raw.TenantsList(ctx, &q, e...)
		},
		page: func(resp *http.Response, err error) ([]api.Tenant, *string, error) {
			p, err := decode[api.PageTenant](resp, err)
			if err != nil {
				return nil, nil, err
			}
			items, next := pageItems(p.Items, p.NextCursor)
			return items, next, nil
		},
		byName: func(slug string) *api.TenantsListParams {
			return &api.TenantsListParams{Slug: &slug, Limit: limitOne()}
		},
	}}}
}

// LookupBySlug finds the tenant with this slug; an error matching ErrNotFound when there is none.
func (t *Tenants) LookupBySlug(ctx context.Context, slug string, opts ...RequestOption) (*api.Tenant, error) {
	return t.lookup(ctx, slug, opts...)
}

// CreateAPIToken makes a tenant's first API token (the secret is in Token, shown this once).
func (t *Tenants) CreateAPIToken(ctx context.Context, tenantID ID, body api.NewAPIToken, opts ...RequestOption) (*api.APITokenCreated, error) {
	return decode[api.APITokenCreated](t.raw.TenantsCreateTenantToken(ctx, tenantID, body, opts...))
}

// Topology: /v1/topology, one per tenant.
type Topology struct{ raw *api.Client }

// Get reads the tenant's topology settings and configuration revision.
func (t *Topology) Get(ctx context.Context, opts ...RequestOption) (*api.Topology, error) {
	return decode[api.Topology](t.raw.TopologyGet(ctx, opts...))
}

// Put replaces the topology settings (absent fields take their defaults); ifMatch as for Update.
func (t *Topology) Put(ctx context.Context, spec api.TopologySpec, ifMatch string, opts ...RequestOption) (*api.Topology, error) {
	return decode[api.Topology](t.raw.TopologyPut(ctx, &api.TopologyPutParams{IfMatch: ifMatchParam(ifMatch)}, spec, opts...))
}

// SiteBGP: /v1/sites/{id}/bgp, one per site (the site's agent runs it with FRR), and
// the routes the site's agent learned (/v1/sites/{id}/bgp/routes).
type SiteBGP struct{ raw *api.Client }

// Get reads a site's BGP settings; an error matching ErrNotFound when the site has none.
func (b *SiteBGP) Get(ctx context.Context, siteID ID, opts ...RequestOption) (*api.SiteBgp, error) {
	return decode[api.SiteBgp](b.raw.BgpGet(ctx, siteID, opts...))
}

// Put replaces a site's BGP settings, creating them when it has none; ifMatch as for Update.
// A neighbour given without Password keeps its stored one; "" removes it.
func (b *SiteBGP) Put(ctx context.Context, siteID ID, spec api.SiteBgpSpec, ifMatch string, opts ...RequestOption) (*api.SiteBgp, error) {
	return decode[api.SiteBgp](b.raw.BgpPut(ctx, siteID, &api.BgpPutParams{IfMatch: ifMatchParam(ifMatch)}, spec, opts...))
}

// Delete removes a site's BGP settings; ifMatch as for Update.
func (b *SiteBGP) Delete(ctx context.Context, siteID ID, ifMatch string, opts ...RequestOption) error {
	return noContent(b.raw.BgpDelete(ctx, siteID, &api.BgpDeleteParams{IfMatch: ifMatchParam(ifMatch)}, opts...))
}

// Routes iterates over the routes the site's agent learned over BGP (params nil: all), in the
// order they were first reported, each with the server's decision (accepted, refused with a
// reason, not_imported).
func (b *SiteBGP) Routes(ctx context.Context, siteID ID, params *api.BgpListRoutesParams, opts ...RequestOption) iter.Seq2[*api.LearnedRoute, error] {
	return func(yield func(*api.LearnedRoute, error) bool) {
		q := api.BgpListRoutesParams{}
		if params != nil {
			q = *params
		}
		for {
			p, err := decode[api.PageLearnedRoute](b.raw.BgpListRoutes(ctx, siteID, &q, opts...))
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range p.Items {
				if !yield(&p.Items[i], nil) {
					return
				}
			}
			_, next := pageItems(p.Items, p.NextCursor)
			if next == nil {
				return
			}
			q.Cursor = next
		}
	}
}

// IdentityProvider: /v1/identity-provider, the tenant's single sign-on (OIDC), one per tenant and
// for admins only. The client secret is write-only: ClientSecretSet tells whether one is stored.
type IdentityProvider struct{ raw *api.Client }

// Get reads the tenant's identity provider; an error matching ErrNotFound when it has none.
func (p *IdentityProvider) Get(ctx context.Context, opts ...RequestOption) (*api.IdentityProvider, error) {
	return decode[api.IdentityProvider](p.raw.IdentityProviderGet(ctx, opts...))
}

// Put creates or replaces the identity provider (a ClientSecret left out keeps the stored one);
// ifMatch as for Update.
func (p *IdentityProvider) Put(ctx context.Context, spec api.IdentityProviderSpec, ifMatch string, opts ...RequestOption) (*api.IdentityProvider, error) {
	return decode[api.IdentityProvider](p.raw.IdentityProviderPut(ctx, &api.IdentityProviderPutParams{IfMatch: ifMatchParam(ifMatch)}, spec, opts...))
}

// Delete removes the identity provider: SSO ends and password login is open to everyone again.
func (p *IdentityProvider) Delete(ctx context.Context, ifMatch string, opts ...RequestOption) error {
	return noContent(p.raw.IdentityProviderDelete(ctx, &api.IdentityProviderDeleteParams{IfMatch: ifMatchParam(ifMatch)}, opts...))
}

// AuditEvents: /v1/audit-events, read-only.
type AuditEvents struct{ raw *api.Client }

// List iterates over the audit events that match params (nil: all), oldest first.
func (a *AuditEvents) List(ctx context.Context, params *api.AuditListParams, opts ...RequestOption) iter.Seq2[*api.AuditEvent, error] {
	return func(yield func(*api.AuditEvent, error) bool) {
		q := api.AuditListParams{}
		if params != nil {
			q = *params
		}
		for {
			p, err := decode[api.PageAuditEvent](a.raw.AuditList(ctx, &q, opts...))
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range p.Items {
				if !yield(&p.Items[i], nil) {
					return
				}
			}
			_, next := pageItems(p.Items, p.NextCursor)
			if next == nil {
				return
			}
			q.Cursor = next
		}
	}
}
