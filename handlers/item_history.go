package handlers

import (
	"net/http"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// The store keeps an item's history as keys, IDs and raw values and
// resolves references for each reader; here it becomes words in the
// reader's language, for the item page and for the API's clients.

// historyEntry is one change as the item page shows it.
type historyEntry struct {
	*shrooms.ItemChange
	Lines []historyLine
}

// historyLine is one field's change in words.
type historyLine struct {
	Label, From, To string
}

// historyEntries puts a page of history in the reader's words.
func historyEntries(tr translator, changes []*shrooms.ItemChange) []historyEntry {
	out := make([]historyEntry, 0, len(changes))
	for _, ch := range changes {
		e := historyEntry{ItemChange: ch}
		for _, f := range ch.Fields {
			e.Lines = append(e.Lines, historyLine{Label: changeLabel(tr, f),
				From: changeText(tr, f.Field, f.From), To: changeText(tr, f.Field, f.To)})
		}
		out = append(out, e)
	}
	return out
}

// changeLabel names a changed field: a custom field by the label the
// admins gave it, the others in the reader's language.
func changeLabel(tr translator, f shrooms.FieldChange) string {
	switch f.Field {
	case shrooms.ChangeCustom:
		if f.Label != "" {
			return f.Label
		}
		return f.Key
	case shrooms.ChangeLoan:
		return tr("items.loan")
	case shrooms.ChangePhotos:
		return tr("items.form.photos")
	}
	return tr("items.field." + string(f.Field))
}

// changeText writes one side of a change, "" for none: a reference by
// the name the store let the reader see, or "hidden"; codes, yes and no
// and loan rules in the reader's language; money as 12.50.
func changeText(tr translator, field shrooms.ChangeField, v shrooms.ChangeValue) string {
	switch {
	case v.Hidden:
		return tr("items.history.hidden")
	case v.Name != "":
		return v.Name
	case v.Loan != nil:
		return loanText(tr, *v.Loan)
	case v.Bool != nil:
		if *v.Bool {
			return tr("items.yes")
		}
		return tr("items.no")
	case v.Number != nil:
		switch field {
		case shrooms.ChangeValueCents:
			return shrooms.FormatMoney(*v.Number)
		case shrooms.ChangeQuantity:
			return strings.TrimSpace(strconv.FormatInt(*v.Number, 10) + " " + v.Text)
		}
		return strconv.FormatInt(*v.Number, 10)
	case v.Text != "":
		switch field {
		case shrooms.ChangeKind, shrooms.ChangeStatus, shrooms.ChangeCondition, shrooms.ChangeAudience:
			return tr("items." + string(field) + "." + v.Text)
		}
		return v.Text
	}
	return ""
}

// loanText spells loan rules out as the item page does.
func loanText(tr translator, l shrooms.LoanRules) string {
	parts := []string{tr("items.loan.no_limit")}
	if l.MaxDays > 0 {
		parts[0] = tr("items.loan.max_days", "Count", l.MaxDays)
	}
	switch {
	case l.Renewals == nil:
	case *l.Renewals == 0:
		parts = append(parts, tr("items.loan.no_renewal"))
	default:
		parts = append(parts, tr("items.loan.renewals", "Count", *l.Renewals))
	}
	if l.DepositCents > 0 {
		parts = append(parts, tr("items.loan.deposit", "Amount", shrooms.FormatMoney(l.DepositCents)))
	}
	switch {
	case l.Members && l.Partners:
		parts = append(parts, tr("items.loan.both"))
	case l.Partners:
		parts = append(parts, tr("items.loan.partners"))
	case l.Members:
		parts = append(parts, tr("items.loan.members"))
	default:
		parts = append(parts, tr("items.loan.nobody"))
	}
	return strings.Join(parts, "; ")
}

// changeJSON is a history entry as the API gives it: the store's
// structured entry, with each field's label and values also in words,
// in the request's language.
type changeJSON struct {
	*shrooms.ItemChange
	ActionText string            `json:"action_text"`
	Fields     []fieldChangeJSON `json:"fields,omitempty"`
}

// fieldChangeJSON is one field of a changeJSON; its label replaces the
// stored one (a custom field's label stays the admins').
type fieldChangeJSON struct {
	shrooms.FieldChange
	Label    string `json:"label"`
	FromText string `json:"from_text"`
	ToText   string `json:"to_text"`
}

// toChangeJSON returns the API's shape of a history entry.
func toChangeJSON(tr translator) func(*shrooms.ItemChange) changeJSON {
	return func(c *shrooms.ItemChange) changeJSON {
		out := changeJSON{ItemChange: c, ActionText: tr("items.action." + string(c.Action))}
		for _, f := range c.Fields {
			out.Fields = append(out.Fields, fieldChangeJSON{FieldChange: f, Label: changeLabel(tr, f),
				FromText: changeText(tr, f.Field, f.From), ToText: changeText(tr, f.Field, f.To)})
		}
		return out
	}
}

// apiItemHistory is a page of the item's changes, newest first, as the
// caller may see them.
func (s *server) apiItemHistory(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	changes, total, err := s.Items.FindItemHistory(r.Context(), id, offset, limit)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, changes, total, toChangeJSON(s.translator(r)))
}
