package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// adminPartnerRoutes: the partnerships page, invites, linking, the
// sharing policy and the actions on one partner ({id} is the partner's
// actor ID). Admins only; the services check again.
func (s *server) adminPartnerRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	a := s.requireWebAdmin
	r.HandleFunc("/admin/partners", a(s.handleAdminPartners)).Methods(get, head)
	r.HandleFunc("/admin/partners/link", a(s.handleAdminLinkPartner)).Methods(post)
	r.HandleFunc("/admin/partner-invites", a(s.handleAdminCreatePartnerInvite)).Methods(post)
	r.HandleFunc("/admin/partner-invites/{id:[0-9]+}/revoke", a(s.handleAdminRevokePartnerInvite)).Methods(post)
	r.HandleFunc("/admin/partners/{id:[0-9]+}/modules", a(s.handleAdminPartnerModules)).Methods(post)
	r.HandleFunc("/admin/partners/{id:[0-9]+}/{decision:approve|reject}", a(s.handleAdminPartnerDecide)).Methods(post)
	r.HandleFunc("/admin/partners/{id:[0-9]+}/sync", a(s.handleAdminPartnerSync)).Methods(post)
	r.HandleFunc("/admin/partners/{id:[0-9]+}/{action:unlink|block|unblock}", a(s.handleAdminPartnerConfirm)).Methods(get, head, post)
}

// adminPartners is the partnerships page: the invite and link forms, the
// invites and the partners with their policy, delivery and sync state.
type adminPartners struct {
	adminPage
	Org      *shrooms.Actor
	Partners []*shrooms.Partner
	Invites  []inviteRow
	// Modules are the shared modules a policy may give, all of them even
	// when off here (the page says which are off).
	Modules []string
	// The invite form's values and error.
	Note, Days, InviteError string
	// The link form's value and error.
	LinkURL, LinkError string
}

// inviteRow is an invite with its state at the time of the page: valid,
// used, revoked or expired.
type inviteRow struct {
	*shrooms.PartnerInvite
	State string
}

// partnerForm is what a page shows again after a failed form.
type partnerForm struct {
	Note, Days, InviteError string
	LinkURL, LinkError      string
}

func (s *server) handleAdminPartners(w http.ResponseWriter, r *http.Request) {
	s.renderPartners(w, r, 0, partnerForm{Days: strconv.Itoa(int(shrooms.DefaultInviteTTL / (24 * time.Hour)))})
}

// renderPartners shows the partnerships page with the forms' values.
func (s *server) renderPartners(w http.ResponseWriter, r *http.Request, status int, f partnerForm) {
	ctx := r.Context()
	org, err := s.Actors.FindOrgActor(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	partners, err := s.Partners.FindPartners(ctx, shrooms.PartnerFilter{})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	invites, err := s.Partners.FindPartnerInvites(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &adminPartners{adminPage: adminPage{Section: "partners"}, Org: org, Partners: partners,
		Modules: shrooms.SharedModules, Note: f.Note, Days: f.Days, InviteError: f.InviteError,
		LinkURL: f.LinkURL, LinkError: f.LinkError}
	now := s.Now()
	for _, inv := range invites {
		d.Invites = append(d.Invites, inviteRow{PartnerInvite: inv, State: string(inv.State(now))})
	}
	s.render(w, r, status, "admin_partners", "partners.title", d)
}

// inviteDays reads the validity of a new invite in days: empty is the
// default, else a whole number from 1 to the longest validity.
func inviteDays(v string) (time.Duration, error) {
	if v == "" {
		return shrooms.DefaultInviteTTL, nil
	}
	n, err := strconv.Atoi(v)
	maxDays := int(shrooms.MaxInviteTTL / (24 * time.Hour))
	if err != nil || n < 1 || n > maxDays {
		return 0, shrooms.Errorf(shrooms.EINVALID, "expires_in_days: must be a whole number of days from 1 to 90").Keyed("partners.error.expires_in_days").On("expires_in_days")
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

// partnerInviteCreated is the page that shows a new invite's URL, once.
type partnerInviteCreated struct {
	adminPage
	Invite *shrooms.PartnerInvite
	URL    string
}

// handleAdminCreatePartnerInvite makes an invite and shows its URL on the
// answer itself: the token is not kept, so this page is the only place it
// is ever seen.
func (s *server) handleAdminCreatePartnerInvite(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := partnerForm{Note: formValue(r, "note"), Days: formValue(r, "days")}
	ttl, err := inviteDays(f.Days)
	var (
		inv   *shrooms.PartnerInvite
		token string
		org   *shrooms.Actor
	)
	if err == nil {
		inv, token, err = s.Partners.CreatePartnerInvite(ctx, ttl, f.Note)
	}
	if err == nil {
		org, err = s.Actors.FindOrgActor(ctx)
	}
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		f.InviteError = s.errorText(r, err)
		s.renderPartners(w, r, formStatus(err), f)
		return
	}
	d := &partnerInviteCreated{adminPage: adminPage{Section: "partners"}, Invite: inv, URL: shrooms.InviteURL(org.IRI, token)}
	s.render(w, r, http.StatusCreated, "admin_partners_invite", "partners.invite.created_title", d)
}

// formStatus is the status of a page that shows its form again with an
// error: 422 for a form the server understood but refused.
func formStatus(err error) int {
	if shrooms.ErrorCode(err) == shrooms.EINVALID {
		return http.StatusUnprocessableEntity
	}
	return statusOf(shrooms.ErrorCode(err))
}

func (s *server) handleAdminRevokePartnerInvite(w http.ResponseWriter, r *http.Request) {
	if err := s.Partners.RevokePartnerInvite(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/partners", "partners.flash.invite_revoked")
}

// handleAdminLinkPartner links with the organisation whose invite URL was
// pasted: it resolves the inviting actor, then follows it with the token.
func (s *server) handleAdminLinkPartner(w http.ResponseWriter, r *http.Request) {
	f := partnerForm{LinkURL: formValue(r, "url"), Days: strconv.Itoa(int(shrooms.DefaultInviteTTL / (24 * time.Hour)))}
	if _, err := s.Linker.LinkPartnerByInvite(r.Context(), f.LinkURL); err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		f.LinkError = s.errorText(r, err)
		s.renderPartners(w, r, formStatus(err), f)
		return
	}
	s.redirect(w, r, "/admin/partners", "partners.flash.link_sent")
}

// handleAdminPartnerModules replaces a partner's sharing policy with the
// checked modules; none checked shares nothing.
func (s *server) handleAdminPartnerModules(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Partners.SetPartnerModules(r.Context(), pathID(r), r.PostForm["modules"]); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/partners", "partners.flash.policy_saved")
}

// handleAdminPartnerDecide approves or rejects a partner's pending
// request, which is its Follow of our organisation.
func (s *server) handleAdminPartnerDecide(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.Partners.FindPartner(ctx, pathID(r))
	if err == nil && (p.Theirs == nil || p.State != shrooms.PartnerPendingIn) {
		err = shrooms.Errorf(shrooms.ECONFLICT, "this organisation is not waiting for an answer").Keyed("partners.error.not_waiting")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	flash := "partners.flash.approved"
	if mux.Vars(r)["decision"] == "approve" {
		_, err = s.Follows.ApproveFollowRequest(ctx, p.Theirs.ID)
	} else {
		_, err = s.Follows.RejectFollowRequest(ctx, p.Theirs.ID)
		flash = "partners.flash.rejected"
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/partners", flash)
}

func (s *server) handleAdminPartnerSync(w http.ResponseWriter, r *http.Request) {
	if err := s.Partners.RequestPartnerSync(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/partners", "partners.flash.sync_requested")
}

// partnerConfirm is the confirmation step of unlinking, blocking and
// unblocking.
type partnerConfirm struct {
	adminPage
	Partner *shrooms.Partner
	Action  string
}

// handleAdminPartnerConfirm asks before unlinking, blocking or unblocking
// (GET), and does it (POST).
func (s *server) handleAdminPartnerConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	action := mux.Vars(r)["action"]
	p, err := s.Partners.FindPartner(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if r.Method != http.MethodPost {
		d := &partnerConfirm{adminPage: adminPage{Section: "partners"}, Partner: p, Action: action}
		s.render(w, r, 0, "admin_partners_confirm", "partners."+action+".title", d)
		return
	}
	switch action {
	case "unlink":
		err = s.Partners.UnlinkPartner(ctx, p.Actor.ID)
	case "block":
		err = s.Partners.BlockPartner(ctx, p.Actor.ID)
	default:
		err = s.Partners.UnblockPartner(ctx, p.Actor.ID)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/partners", "partners.flash."+action+"ed")
}
