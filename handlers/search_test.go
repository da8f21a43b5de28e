package handlers

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestReadSearchForm: the search page's query string becomes the
// service's query; values no form sends are EINVALID naming the field.
func TestReadSearchForm(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		want        shrooms.SearchQuery
		chosen      bool
		keep        string
		err         string
	}{
		{name: "nothing", query: "", want: shrooms.SearchQuery{Limit: 20}, keep: "q="},
		{name: "words", query: "q=+drill++", want: shrooms.SearchQuery{Text: "drill", Limit: 20}, keep: "q=drill"},
		{name: "types repeated and listed", query: "q=x&type=tool&type=part,tool&type=",
			want: shrooms.SearchQuery{Text: "x", Kinds: []shrooms.ItemKind{"tool", "part"}, Limit: 20}, keep: "q=x&type=tool&type=part"},
		{name: "organisations", query: "q=x&in=3&in=1,3", chosen: true,
			want: shrooms.SearchQuery{Text: "x", Instances: []int64{3, 1}, Limit: 20}, keep: "in=3&in=1&q=x"},
		{name: "available and offset", query: "q=x&available=on&offset=40",
			want: shrooms.SearchQuery{Text: "x", Available: true, Offset: 40, Limit: 20}, keep: "available=1&q=x"},
		{name: "unknown type", query: "q=x&type=boat", err: "type:"},
		{name: "bad organisation", query: "q=x&in=0", err: "in:"},
		{name: "bad available", query: "q=x&available=maybe", err: "available:"},
		{name: "negative offset", query: "q=x&offset=-1", err: "offset:"},
		{name: "offset too far", query: "q=x&offset=2001", err: "offset:"},
		{name: "too long", query: "q=" + strings.Repeat("é", 201), err: "q:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			d := &searchPage{}
			got, err := readSearchForm(v, d)
			if tc.err != "" {
				if shrooms.ErrorCode(err) != shrooms.EINVALID || !strings.HasPrefix(shrooms.ErrorMessage(err), tc.err) {
					t.Fatalf("err = %v, want EINVALID %s…", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("query = %+v, want %+v", got, tc.want)
			}
			if d.Chosen != tc.chosen || d.Query != tc.keep || d.Searched != (tc.want.Text != "") {
				t.Errorf("page = chosen %v query %q searched %v", d.Chosen, d.Query, d.Searched)
			}
		})
	}
}

// TestHitView: local hits link to our item page with its thumbnail;
// partners' items to our page of them; other remote hits link to the
// partner's page only when it is an http(s) address, and never show the
// partner's image.
func TestHitView(t *testing.T) {
	org := &shrooms.Actor{ID: 2, Handle: "org", Host: "b.example", Name: "Tool library"}
	local := hitView(&shrooms.SearchHit{Org: org, Local: &shrooms.Item{ID: 7, Photos: []shrooms.Photo{{ThumbID: 9}}},
		Name: "Drill", Kind: "tool", Status: "available"})
	if local.Href != "/items/7" || local.ThumbID != 9 || !local.Local || local.Kind != "tool" || local.Status != "available" {
		t.Errorf("local = %+v", local)
	}
	for in, want := range map[string]string{
		"https://b.example/items/1": "https://b.example/items/1",
		"http://b.example/x?y=1":    "http://b.example/x?y=1",
		"javascript:alert(1)":       "",
		"data:text/html,hi":         "",
		"//b.example/items/1":       "",
		"":                          "",
	} {
		v := hitView(&shrooms.SearchHit{Org: org, Remote: &shrooms.RemoteObject{}, URL: in, ImageURL: "https://b.example/i.png",
			Kind: "boat", Status: "lost"})
		if v.Href != want || v.ThumbID != 0 || v.Local || v.OrgName != "Tool library" || v.OrgAcct != "org@b.example" {
			t.Errorf("remote %q = %+v, want href %q", in, v, want)
		}
		if v.Kind != "" || v.Status != "" {
			t.Errorf("unknown kind and status are shown: %+v", v)
		}
	}
	// A partner's item links to this node's page of it, whatever its URL.
	v := hitView(&shrooms.SearchHit{Org: org, Remote: &shrooms.RemoteObject{Type: "Item", IRI: "https://b.example/items/1?x=1&y"},
		URL: "https://b.example/items/1"})
	if want := "/remote/items?iri=https%3A%2F%2Fb.example%2Fitems%2F1%3Fx%3D1%26y"; v.Href != want || v.External {
		t.Errorf("remote item = %+v, want href %q", v, want)
	}
}
