package vocab

import (
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// The texts a federated item carries are in English: a remote server
// shows them to its own users, whose language the node does not know.
// The extension properties carry the same facts as codes.

// excerptLength bounds the description excerpt in the summary.
const excerptLength = 160

var kindLabels = map[shrooms.ItemKind]string{
	shrooms.KindTool: "tool", shrooms.KindDevice: "device", shrooms.KindPart: "spare part", shrooms.KindKit: "kit",
}

var statusLabels = map[shrooms.ItemStatus]string{
	shrooms.StatusAvailable: "available", shrooms.StatusOnLoan: "on loan",
	shrooms.StatusInRepair: "in repair", shrooms.StatusRetired: "retired",
}

// label returns the English label of a code, or the code itself.
func label[K ~string](labels map[K]string, k K) string {
	if l, ok := labels[k]; ok {
		return l
	}
	return string(k)
}

// fact is one labelled fact about an item: a PropertyValue attachment and
// a line of the HTML content.
type fact struct{ label, value string }

// itemFacts lists what a reader wants to know, in display order:
// category, condition, status, loans, location, stock, kit and contents,
// then the custom fields by label.
func itemFacts(item *shrooms.Item) []fact {
	var out []fact
	add := func(l, v string) {
		if v != "" {
			out = append(out, fact{l, v})
		}
	}
	add("Category", item.CategoryPath)
	add("Condition", string(item.Condition))
	add("Status", label(statusLabels, item.Status))
	if item.Loanable {
		loans := "yes"
		if item.Loan.MaxDays > 0 {
			loans = "up to " + plural(int64(item.Loan.MaxDays), "day")
		}
		switch n := item.Loan.Renewals; {
		case n == nil:
		case *n == 0:
			loans += ", not renewable"
		default:
			loans += ", renewable " + plural(int64(*n), "time")
		}
		add("Loans", loans)
	}
	if pl := item.Place; pl != nil && pl.Public {
		loc := pl.Name
		if addr := pl.Address(); addr != "" {
			loc += ", " + addr
		}
		add("Location", loc)
	}
	if item.Kind == shrooms.KindPart {
		add("Stock", stockText(item))
	}
	// The store keeps only public kits and contents in what federates.
	if item.Kit != nil {
		add("In kit", item.Kit.Name)
	}
	if len(item.Contents) > 0 {
		names := make([]string, len(item.Contents))
		for i, c := range item.Contents {
			names[i] = c.Name
		}
		add("Contents", strings.Join(names, ", "))
	}
	seen := map[string]bool{}
	for _, d := range item.FieldDefs {
		seen[d.Key] = true
		add(d.Label, fieldText(d.Type, item.Fields[d.Key]))
	}
	// Values whose definition the snapshot lacks still go out, by key.
	for _, k := range sortedKeys(item.Fields) {
		if !seen[k] {
			add(k, item.Fields[k])
		}
	}
	return out
}

// stockText is a part's quantity with its unit: "12 pcs".
func stockText(item *shrooms.Item) string {
	return strconv.FormatInt(item.Quantity, 10) + " " + item.Unit
}

// fieldText writes a custom field value for people: yes/no, dates in
// words; other types as stored.
func fieldText(t shrooms.FieldType, v string) string {
	switch {
	case v == "":
		return ""
	case t == shrooms.FieldBool && v == "true":
		return "yes"
	case t == shrooms.FieldBool && v == "false":
		return "no"
	case t == shrooms.FieldDate:
		if d, err := time.Parse("2006-01-02", v); err == nil {
			return d.Format("2 January 2006")
		}
	}
	return v
}

func plural(n int64, unit string) string {
	s := strconv.FormatInt(n, 10) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}

// itemSummary is the plain-text summary Mastodon shows under the title:
// the key facts on one line, then the start of the description.
// Servers that show a summary as a content warning (Pleroma, GoToSocial)
// then show the facts line as the warning, which still reads well.
func itemSummary(item *shrooms.Item) string {
	parts := []string{item.Name, label(kindLabels, item.Kind)}
	if item.CategoryPath != "" {
		parts = append(parts, item.CategoryPath)
	}
	parts = append(parts, label(statusLabels, item.Status))
	if item.Loanable {
		parts = append(parts, "loanable")
	}
	if item.Kind == shrooms.KindPart {
		parts = append(parts, stockText(item)+" in stock")
	}
	s := strings.Join(parts, " · ")
	if ex := excerpt(item.Description, excerptLength); ex != "" {
		s += "\n\n" + ex
	}
	return s
}

// excerpt returns the first max runes of s on one line, cut at a word
// boundary with an ellipsis when it is longer.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// itemContent is the HTML body, for servers that show content rather
// than summary: the description's paragraphs, escaped, and the facts as a
// list (Mastodon's sanitizer keeps p, br, ul, li and strong, not dl).
func itemContent(item *shrooms.Item) string {
	var b strings.Builder
	for _, para := range paragraphs(item.Description) {
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(l))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	facts := itemFacts(item)
	if len(facts) > 0 {
		b.WriteString("<ul>")
		for _, f := range facts {
			b.WriteString("<li><strong>" + html.EscapeString(f.label) + ":</strong> " + html.EscapeString(f.value) + "</li>")
		}
		b.WriteString("</ul>")
	}
	return b.String()
}

// paragraphs splits text on blank lines, dropping empty ones.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
