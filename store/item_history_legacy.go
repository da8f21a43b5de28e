package store

import (
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// History entries written before the history was structured hold
// English text: {"field": "loan", "from": "at most 7 days, no deposit, lent to
// members", "to": "…"}, references by name, custom fields by label. They
// are not rewritten (a name cannot be turned back into the record it
// was, which may since be renamed, gone or secret); they are read into
// the structured shape here, so that they render in the reader's
// language like the rest. Reference names keep no ID: FindItemHistory
// shows them only to readers who may read every record of their kind
// (refReader.readsEvery).

// legacyChange reads one field of an old entry.
func legacyChange(field, from, to string) shrooms.FieldChange {
	f := shrooms.ChangeField(field)
	fc := shrooms.FieldChange{Field: f}
	var read func(string) shrooms.ChangeValue
	switch f {
	case shrooms.ChangeKind, shrooms.ChangeName, shrooms.ChangeDescription, shrooms.ChangeCondition,
		shrooms.ChangeStatus, shrooms.ChangeAudience, shrooms.ChangeUnit:
		read = shrooms.TextValue
	case shrooms.ChangeCategory, shrooms.ChangeOwner, shrooms.ChangeGroup, shrooms.ChangePlace, shrooms.ChangeKit:
		read = func(s string) shrooms.ChangeValue { return shrooms.ChangeValue{Name: s} }
	case shrooms.ChangeValueCents:
		read = legacyMoney
	case shrooms.ChangeLoanable:
		read = func(s string) shrooms.ChangeValue {
			switch s {
			case "yes":
				return shrooms.BoolValue(true)
			case "no":
				return shrooms.BoolValue(false)
			}
			return shrooms.TextValue(s)
		}
	case shrooms.ChangeLoan:
		read = legacyLoan
	case shrooms.ChangeMinQuantity, shrooms.ChangePhotos, shrooms.ChangeQuantity:
		// "12", or "7 pcs" for a stock movement.
		read = func(s string) shrooms.ChangeValue {
			num, unit, _ := strings.Cut(s, " ")
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil {
				return shrooms.TextValue(s)
			}
			return quantityValue(n, unit)
		}
	default:
		// A custom field, by the label it had.
		fc = shrooms.FieldChange{Field: shrooms.ChangeCustom, Label: field}
		read = shrooms.TextValue
	}
	if from != "" {
		fc.From = read(from)
	}
	if to != "" {
		fc.To = read(to)
	}
	return fc
}

// legacyMoney reads 12.50 as 1250 cents.
func legacyMoney(s string) shrooms.ChangeValue {
	whole, frac, ok := strings.Cut(s, ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if !ok || len(frac) != 2 || err1 != nil || err2 != nil || w < 0 || f < 0 {
		return shrooms.TextValue(s)
	}
	return shrooms.NumberValue(w*100 + f)
}

// legacyLoan reads the rules as the old history spelled them: "at most
// 14 days, deposit 20.00, lent to members and partners" (or "no time
// limit", "no deposit", "lent to nobody"). Anything else stays text.
func legacyLoan(s string) shrooms.ChangeValue {
	parts := strings.Split(s, ", ")
	if len(parts) != 3 {
		return shrooms.TextValue(s)
	}
	var l shrooms.LoanRules
	if days, ok := strings.CutPrefix(parts[0], "at most "); ok {
		n, err := strconv.Atoi(strings.TrimSuffix(days, " days"))
		if err != nil || !strings.HasSuffix(days, " days") {
			return shrooms.TextValue(s)
		}
		l.MaxDays = n
	} else if parts[0] != "no time limit" {
		return shrooms.TextValue(s)
	}
	if dep, ok := strings.CutPrefix(parts[1], "deposit "); ok {
		m := legacyMoney(dep)
		if m.Number == nil {
			return shrooms.TextValue(s)
		}
		l.DepositCents = *m.Number
	} else if parts[1] != "no deposit" {
		return shrooms.TextValue(s)
	}
	who, ok := strings.CutPrefix(parts[2], "lent to ")
	if !ok {
		return shrooms.TextValue(s)
	}
	for _, w := range strings.Split(who, " and ") {
		switch w {
		case "members":
			l.Members = true
		case "partners":
			l.Partners = true
		case "nobody":
		default:
			return shrooms.TextValue(s)
		}
	}
	return shrooms.LoanValue(l)
}
