package provider

// Mixing inline links and patronus_link for one site.
//
// A patronus_site that sets `links` owns the whole link set of its site: every apply deletes the
// links it does not list. A patronus_link of the same site would then be deleted by one apply and
// created again by the next, for ever (or, when `links` lists it too, the two would overwrite each
// other's values). The server cannot tell the two apart: both are plain links.
//
// What can tell them apart is the provider, during one Terraform run: Terraform plans every
// resource of a configuration through one provider instance. linkOwners is that instance's record
// of the sites whose patronus_site sets `links` (with the names it lists) and of the links that
// patronus_link resources manage. Whichever of a conflicting pair is planned second reports it,
// as an error on that resource: normally the patronus_link, since it refers to its site and is
// planned after it. A site being created has no id at plan time, so for it the record is made at
// apply, when it is created, and the patronus_link's final plan (which Terraform makes after the
// site exists) reports it before the link is created.
//
// It stays quiet for everything else: a site without `links`, links of sites that do not set it,
// and the ways of moving from one style to the other (a patronus_link that is being destroyed or
// forgotten is not planned, so it is not recorded). What it cannot see: a patronus_link in another
// configuration (or under another provider alias). For that case the site's plan still shows the
// link it is about to delete, and the documentation says not to mix.

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
)

type linkOwners struct {
	mu     sync.Mutex
	inline map[patronus.ID]inlineLinks     // sites whose patronus_site sets `links`
	apart  map[patronus.ID]map[string]bool // per site, names of links that patronus_link resources manage
}

// inlineLinks is what a patronus_site that sets `links` lists.
type inlineLinks struct {
	site  string // the site's name, for messages
	names map[string]bool
}

func newLinkOwners() *linkOwners {
	return &linkOwners{inline: map[patronus.ID]inlineLinks{}, apart: map[patronus.ID]map[string]bool{}}
}

// siteSetsLinks records that the site's patronus_site sets `links` to these names, and returns
// the names of the links of the site that patronus_link resources planned so far manage (sorted).
func (o *linkOwners) siteSetsLinks(id patronus.ID, site string, names []string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	o.inline[id] = inlineLinks{site: site, names: set}
	apart := make([]string, 0, len(o.apart[id]))
	for n := range o.apart[id] {
		apart = append(apart, n)
	}
	sort.Strings(apart)
	return apart
}

// linkApart records that a patronus_link manages the link `name` of the site, and returns what
// the site's patronus_site lists when it sets `links` (ok false when it does not, as far as this
// run has seen).
func (o *linkOwners) linkApart(siteID patronus.ID, name string) (inlineLinks, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.apart[siteID] == nil {
		o.apart[siteID] = map[string]bool{}
	}
	o.apart[siteID][name] = true
	in, ok := o.inline[siteID]
	return in, ok
}

const mixedSummary = "A site's links are managed in two places"

// howToFix is the end of every report of mixing.
const howToFix = "Manage the links of a site in one place only: either list them all in the site's `links` and " +
	"forget their patronus_link resources without deleting the links (a `removed` block with " +
	"`lifecycle { destroy = false }`, or `terraform state rm`); or remove `links` from the site, which then " +
	"leaves its links alone, and manage each of them as a patronus_link."

// mixedLink is the report on a patronus_link whose site's patronus_site sets `links`.
func mixedLink(siteID patronus.ID, in inlineLinks, name string) string {
	listed := sortedKeys(in.names)
	var what string
	if in.names[name] {
		what = fmt.Sprintf("This patronus_link manages the link %q of the same site, which the site's `links` also "+
			"lists: the two would overwrite each other's values on every apply.", name)
	} else {
		what = fmt.Sprintf("This patronus_link manages the link %q of the same site, which is not in that list: the "+
			"site would delete it on one apply and this resource create it again on the next, for ever.", name)
	}
	return fmt.Sprintf("The patronus_site of site %q (%s) sets `links` (%s), so it manages every link of the site "+
		"and deletes those it does not list. %s\n\n%s", in.site, siteID, quotedList(listed), what, howToFix)
}

// mixedSite is the report on a patronus_site that sets `links` when patronus_link resources of the
// same site were planned before it.
func mixedSite(siteID patronus.ID, site string, names []string, apart []string) string {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	var outside, inside []string
	for _, n := range apart {
		if set[n] {
			inside = append(inside, n)
		} else {
			outside = append(outside, n)
		}
	}
	var parts []string
	if len(outside) > 0 {
		parts = append(parts, fmt.Sprintf("%s, not in `links`: the site would delete them on one apply and their "+
			"patronus_link resources create them again on the next, for ever", quotedList(outside)))
	}
	if len(inside) > 0 {
		parts = append(parts, fmt.Sprintf("%s, also in `links`: the two would overwrite each other's values",
			quotedList(inside)))
	}
	return fmt.Sprintf("This patronus_site sets `links`, so it manages every link of site %q (%s) and deletes those "+
		"it does not list; but patronus_link resources of this configuration manage links of the same site: %s."+
		"\n\n%s", site, siteID, strings.Join(parts, "; and "), howToFix)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// quotedList: "a", "b" and "c"; "none" when empty.
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	switch len(q) {
	case 0:
		return "none"
	case 1:
		return q[0]
	default:
		return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
	}
}
