package handlers

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// historyLength is how many changes the item page shows.
const historyLength = 50

// itemPage is one item's page.
type itemPage struct {
	itemRights
	Item *shrooms.Item
	// CanWrite: the caller may change this item (edit, check out/in).
	CanWrite     bool
	Fields       []fieldValue
	History      []historyEntry
	HistoryTotal int
	Comments     []*shrooms.Comment
	UserID       int64
	Map          any
	Stock        any
	// Comment is the comment typed, shown again with Error.
	Comment string
	Error   string
	// Lending is the calendar and the loan forms, when the item is lent
	// and the loans module on.
	Lending *itemLending
	// QuickStatus offers the plain "on loan" / "available" buttons: for
	// items the loans module does not lend, which only the desk checks
	// out otherwise.
	QuickStatus bool
}

// itemPageExtra is what a refused form sends back to the item page: a
// comment or a loan request, typed, with its error.
type itemPageExtra struct {
	comment, errText string
	loan             loanForm
}

// fieldValue is a custom field as the page shows it.
type fieldValue struct {
	Label, Value string
	Type         shrooms.FieldType
}

// handleItem shows an item: photos, facts, custom fields, loan rules,
// place, kit, stock, actions, history and comments.
func (s *server) handleItem(w http.ResponseWriter, r *http.Request) {
	s.showItemPage(w, r, 0, itemPageExtra{})
}

// showItemPage renders the item page, with a form sent back when status
// is not 0.
func (s *server) showItemPage(w http.ResponseWriter, r *http.Request, status int, x itemPageExtra) {
	ctx := r.Context()
	item, err := s.Items.FindItemByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &itemPage{itemRights: s.itemRights(r), Item: item, Comment: x.comment, Error: x.errText}
	d.CanWrite = d.canWrite(item)
	if d.Lending, err = s.itemLending(r, item, x.loan); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.QuickStatus = d.CanWrite && !lentByDesk(r, item)
	if u := stateFrom(ctx).User; u != nil {
		d.UserID = u.ID
	}
	for _, f := range item.FieldDefs {
		if v := item.Fields[f.Key]; v != "" {
			d.Fields = append(d.Fields, fieldValue{Label: f.Label, Value: v, Type: f.Type})
		}
	}
	history, total, err := s.Items.FindItemHistory(ctx, item.ID, 0, historyLength)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.History, d.HistoryTotal = historyEntries(s.translator(r), history), total
	if d.Comments, err = s.Items.FindComments(ctx, item.ID); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	st := stateFrom(ctx)
	if item.Place != nil && st.Settings.HasModule("locations") {
		d.Map = s.itemMap(ctx, item)
	}
	if item.Kind == shrooms.KindPart && st.Settings.HasModule("stock") {
		d.Stock = s.itemStock(r, item)
	}
	s.render(w, r, status, "item", "items.item.title", d)
}

// handleItemCheckOut lends an item: on loan, with an optional note
// saying to whom.
func (s *server) handleItemCheckOut(w http.ResponseWriter, r *http.Request) {
	s.setItemStatus(w, r, shrooms.StatusOnLoan, "items.checked_out")
}

// handleItemCheckIn brings an item back: available.
func (s *server) handleItemCheckIn(w http.ResponseWriter, r *http.Request) {
	s.setItemStatus(w, r, shrooms.StatusAvailable, "items.checked_in")
}

// lentByDesk reports whether item goes out only through the lending
// desk: the loans module is on and the item is lent. Its status then
// follows its loans, and the plain status buttons are not offered.
func lentByDesk(r *http.Request, item *shrooms.Item) bool {
	return stateFrom(r.Context()).Settings.HasModule("loans") && item.Loanable
}

func (s *server) setItemStatus(w http.ResponseWriter, r *http.Request, status shrooms.ItemStatus, flash string) {
	id := pathID(r)
	item, err := s.Items.FindItemByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if lentByDesk(r, item) {
		s.fail(w, r, shrooms.Errorf(shrooms.ECONFLICT, "this item is lent through the desk").Keyed("loans.error.use_desk"), 0)
		return
	}
	note := formValue(r, "note")
	if len([]rune(note)) > 500 {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "The note must be at most 500 characters.").Keyed("items.error.note").On("note"), http.StatusUnprocessableEntity)
		return
	}
	if _, err := s.Items.UpdateItem(r.Context(), id, shrooms.ItemUpdate{Status: &status, Note: note}); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, itemPath(id), flash)
}

// itemDelete is the confirmation page of a deletion.
type itemDelete struct {
	Item  *shrooms.Item
	Error string
}

// handleItemDelete asks for confirmation (GET) and deletes (POST).
func (s *server) handleItemDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	item, err := s.Items.FindItemByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if r.Method != http.MethodPost {
		if !s.itemRights(r).canWrite(item) {
			s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not change this item.").Keyed("items.error.change_forbidden"), 0)
			return
		}
		s.render(w, r, 0, "item_delete", "items.delete.title", &itemDelete{Item: item})
		return
	}
	if err := s.Items.DeleteItem(ctx, item.ID); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/items", "items.deleted")
}

// handleItemPhotoAdd adds the photos chosen on the item page.
func (s *server) handleItemPhotoAdd(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	photos, err := s.readImages(r, "photos", photoSide)
	if shrooms.ErrorCode(err) == shrooms.ETOOMANY {
		s.fail(w, r, err, 0)
		return
	} else if err != nil {
		s.fail(w, r, err, http.StatusUnprocessableEntity)
		return
	}
	if len(photos) == 0 {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "Please choose at least one photo.").Keyed("items.error.no_photo").On("photos"), http.StatusUnprocessableEntity)
		return
	}
	if err := s.addPhotos(r, id, photos); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, itemPath(id), "items.photo_added")
}

// handleItemPhotoDelete removes one photo.
func (s *server) handleItemPhotoDelete(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	media, _ := strconv.ParseInt(mux.Vars(r)["media"], 10, 64)
	if err := s.Items.DeleteItemPhoto(r.Context(), id, media); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, itemPath(id), "items.photo_deleted")
}

// handleItemComment adds a comment; a refused one shows the page again
// with the text typed.
func (s *server) handleItemComment(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	c := &shrooms.Comment{ItemID: id, Body: r.PostFormValue("body")}
	err := s.Items.CreateComment(r.Context(), c)
	switch shrooms.ErrorCode(err) {
	case "":
		s.redirect(w, r, itemPath(id)+"#comments", "items.comment_added")
	case shrooms.EINVALID:
		s.showItemPage(w, r, http.StatusUnprocessableEntity, itemPageExtra{comment: c.Body, errText: s.errorText(r, err)})
	default:
		s.fail(w, r, err, 0)
	}
}

// handleCommentDelete removes a comment (its author's, or any for
// inventory managers) and goes back to its item.
func (s *server) handleCommentDelete(w http.ResponseWriter, r *http.Request) {
	back, _ := strconv.ParseInt(r.PostFormValue("item"), 10, 64)
	if err := s.Items.DeleteComment(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	to := "/items"
	if back > 0 {
		to = itemPath(back) + "#comments"
	}
	s.redirect(w, r, to, "items.comment_deleted")
}

// Money writes an amount in cents as 12.50.
func (d *itemPage) Money(cents int64) string {
	if cents == 0 {
		return "0.00"
	}
	return centsText(cents)
}
