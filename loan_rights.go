package shrooms

// LoanDesk reports whether p works the lending desk: sees every loan,
// decides requests, checks items out and in. Staff hold it through the
// loans module's write grant; admins and the node itself always.
func (p Principal) LoanDesk(grants []Grant) bool {
	return p.ModuleAccess(grants, "loans")&AccessWrite != 0
}

// Borrows reports whether p is the local borrower of l.
func (p Principal) Borrows(l *Loan) bool {
	return p.User != nil && p.User.Active() && l.Borrower.UserID != 0 && p.User.ID == l.Borrower.UserID
}

// CanSeeLoan returns nil when p may read l: the desk, and its borrower.
// Anyone else gets ENOTFOUND, so that a loan's existence does not leak.
func (p Principal) CanSeeLoan(grants []Grant, l *Loan) error {
	if p.LoanDesk(grants) || p.Borrows(l) {
		return nil
	}
	return Errorf(ENOTFOUND, "loan not found").Keyed("loans.error.not_found")
}

// CanActOnLoan returns nil when p may take action a on l: the desk any
// action, the borrower those BorrowerMay allows. ENOTFOUND for a loan p
// may not see, EFORBIDDEN for an action that is not theirs.
func (p Principal) CanActOnLoan(grants []Grant, l *Loan, a LoanAction) error {
	if err := p.CanSeeLoan(grants, l); err != nil {
		return err
	}
	if p.LoanDesk(grants) || BorrowerMay(a) {
		return nil
	}
	return Errorf(EFORBIDDEN, "only the lending desk may %s a loan", a).Keyed("loans.error.desk_only", "Action", string(a))
}
