package shrooms

import (
	"strconv"
	"strings"
)

// moneySpaces are the thousands separators an amount may carry: the space
// people type, and the no-break and narrow no-break spaces French
// spreadsheets write.
var moneySpaces = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

// ParseMoney reads an amount of money as people write it into cents, for
// the item form and the CSV import alike: a dot or a comma (French) before
// at most two decimals, spaces between thousands, "" is 0 and ".5" is 50.
// Signs, exponents, a second separator and amounts above MaxMoneyCents are
// refused with EINVALID, so that every way in accepts the same amounts.
func ParseMoney(s string) (cents int64, err error) {
	s = moneySpaces.Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	// The length bound keeps ParseInt within int64 and the check cheap.
	if len(whole) > 12 || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) || whole+frac == "" {
		return 0, Errorf(EINVALID, "not an amount like 12.50").Keyed("core.error.money")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > MaxMoneyCents {
		return 0, Errorf(EINVALID, "not an amount like 12.50").Keyed("core.error.money")
	}
	return n, nil
}

// FormatMoney writes cents as ParseMoney reads them back: 12.50, 0.05,
// 0.00. Amounts are never negative (ParseMoney and Item.Validate refuse
// signs).
func FormatMoney(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(100+cents%100, 10)[1:]
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
