package handlers

import (
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemFormPage is the page of the item form, to create or edit.
type itemFormPage struct {
	itemRights
	// Item is the item edited, nil for a new one.
	Item *shrooms.Item
	F    itemForm
	// Defs are the custom fields of the chosen category.
	Defs       []shrooms.CustomField
	Categories []*shrooms.Category
	Places     []*shrooms.Place
	Kits       []*shrooms.Item
	Owners     []option
	Groups     []*shrooms.Group
	Error      string
	// Invalid is the input the error names.
	Invalid    string
	Kinds      []shrooms.ItemKind
	Statuses   []shrooms.ItemStatus
	Conditions []shrooms.Condition
	Audiences  []shrooms.Audience
	// KindAudiences is, on a new item's form, each kind's default audience
	// (its module's), which the page's script follows when the kind changes.
	KindAudiences map[shrooms.ItemKind]shrooms.Audience
	Locations     bool
	MaxPhotos     int
	Map           any
	// KeepKit and KeepPlace are the edited item's current kit and place
	// when the editor may not read them: offered as a hidden choice, kept
	// selected, so that saving the form does not silently take the item
	// out of them.
	KeepKit, KeepPlace string
	// OrgRenewals is the organisation's renewal limit, which an item
	// without its own follows; OrgRules says it could be read.
	OrgRenewals int
	OrgRules    bool
}

// option is one choice of a select.
type option struct {
	ID   int64
	Name string
}

// Action is where the form is sent.
func (d *itemFormPage) Action() string {
	if d.Item == nil {
		return "/items/new"
	}
	return "/items/" + strconv.FormatInt(d.Item.ID, 10) + "/edit"
}

// handleItemNew shows the item form (GET) and creates the item (POST).
// A form sent with "reload" (the category changed) shows the fields of
// the new category without saving.
func (s *server) handleItemNew(w http.ResponseWriter, r *http.Request) {
	d := &itemFormPage{itemRights: s.itemRights(r), F: newItemForm(stateFrom(r.Context()).Settings)}
	if !d.Manage {
		// A form that cannot be sent helps nobody; the store refuses anyway.
		s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not add items.").Keyed("items.error.add_forbidden"), 0)
		return
	}
	if r.Method != http.MethodPost {
		if q := r.URL.Query(); q.Has("reload") || q.Has("category") {
			d.F = readItemForm(q)
		}
		s.renderItemForm(w, r, d, 0)
		return
	}
	d.F = readItemForm(r.PostForm)
	if r.PostForm.Has("reload") {
		s.renderItemForm(w, r, d, 0)
		return
	}
	i, photos, err := s.itemFromForm(r, d)
	if err == nil {
		err = s.Items.CreateItem(r.Context(), i)
	}
	if err != nil {
		s.itemFormFailed(w, r, d, err)
		return
	}
	flash := "items.created"
	if err := s.addPhotos(r, i.ID, photos); err != nil {
		s.Logger.Warn("item photo", "item", i.ID, "err", err)
		flash = "items.photo_failed"
	}
	s.redirect(w, r, itemPath(i.ID), flash)
}

// handleItemEdit shows the form of an item (GET) and saves it (POST).
// The Version field makes a save over someone else's change fail.
func (s *server) handleItemEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	item, err := s.Items.FindItemByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &itemFormPage{itemRights: s.itemRights(r), Item: item, F: itemFormOf(item)}
	if !d.canWrite(item) {
		s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not change this item.").Keyed("items.error.change_forbidden"), 0)
		return
	}
	if r.Method != http.MethodPost {
		if q := r.URL.Query(); q.Has("reload") {
			d.F = readItemForm(q)
		}
		s.renderItemForm(w, r, d, 0)
		return
	}
	d.F = readItemForm(r.PostForm)
	if r.PostForm.Has("reload") {
		s.renderItemForm(w, r, d, 0)
		return
	}
	i, photos, err := s.itemFromForm(r, d)
	if err == nil {
		_, err = s.Items.UpdateItem(ctx, item.ID, d.update(i))
	}
	if err != nil {
		s.itemFormFailed(w, r, d, err)
		return
	}
	flash := "form.saved"
	if err := s.addPhotos(r, item.ID, photos); err != nil {
		s.Logger.Warn("item photo", "item", item.ID, "err", err)
		flash = "items.photo_failed"
	}
	s.redirect(w, r, itemPath(item.ID), flash)
}

// update is the change the edit form asks: every field it shows. The
// quantity is not one of them (stock movements change it), nor the
// owner and group for those not offered the choice.
func (d *itemFormPage) update(i *shrooms.Item) shrooms.ItemUpdate {
	version, _ := strconv.ParseInt(d.F.Version, 10, 64)
	u := shrooms.ItemUpdate{Version: version, Kind: &i.Kind, Name: &i.Name, Description: &i.Description,
		CategoryID: &i.CategoryID, Condition: &i.Condition, ValueCents: &i.ValueCents, Status: &i.Status,
		Loanable: &i.Loanable, Loan: &i.Loan, KitID: &i.KitID, Audience: &i.Audience, Fields: i.Fields,
		Unit: &i.Unit, MinQuantity: &i.MinQuantity}
	if u.Fields == nil {
		u.Fields = map[string]string{}
	}
	if d.Manage {
		u.OwnerID, u.GroupID = &i.OwnerID, &i.GroupID
	}
	if d.Locations {
		u.PlaceID = &i.PlaceID
	}
	return u
}

// itemFromForm checks the form's shape and reads its photos: the
// category's custom fields, then each value, then the images.
func (s *server) itemFromForm(r *http.Request, d *itemFormPage) (*shrooms.Item, []*shrooms.Media, error) {
	tr := s.translator(r)
	catID, err := optionalID(d.F.Category, "category")
	if err != nil {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "category: %q is not a valid choice", d.F.Category).Keyed("items.error.choice").On("category")
	}
	defs, err := s.Categories.FindFieldsFor(r.Context(), catID)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "category: no such category").Keyed("items.error.category").On("category")
	} else if err != nil {
		return nil, nil, err
	}
	d.Locations = stateFrom(r.Context()).Settings.HasModule("locations")
	i, err := d.F.item(defs, tr)
	if err != nil {
		return nil, nil, err
	}
	if !d.Locations {
		i.PlaceID = 0
	}
	photos, err := s.readImages(r, "photos", photoSide)
	if shrooms.ErrorCode(err) == shrooms.ETOOMANY {
		return nil, nil, err
	} else if err != nil {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "%s", shrooms.ErrorMessage(err)).On("photos").KeyedAs(err)
	}
	have := 0
	if d.Item != nil {
		have = len(d.Item.Photos)
	}
	if have+len(photos) > shrooms.MaxPhotos {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "photos: at most %d", shrooms.MaxPhotos).Keyed("items.error.photos", "Max", shrooms.MaxPhotos).On("photos")
	}
	return i, photos, nil
}

// addPhotos stores each photo with its thumbnail.
func (s *server) addPhotos(r *http.Request, itemID int64, photos []*shrooms.Media) error {
	for _, p := range photos {
		th, err := s.thumbnail(r.Context(), p, thumbSide)
		if err != nil {
			return err
		}
		if _, err := s.Items.AddItemPhoto(r.Context(), itemID, p, th); err != nil {
			return err
		}
	}
	return nil
}

// itemFormFailed shows the form again with what was typed and why it was
// refused: 422 for a value the form or the store refused, 409 for a save
// over someone else's change.
func (s *server) itemFormFailed(w http.ResponseWriter, r *http.Request, d *itemFormPage, err error) {
	status := http.StatusUnprocessableEntity
	switch shrooms.ErrorCode(err) {
	case shrooms.EINVALID, shrooms.ENOTFOUND, shrooms.ETOOLARGE:
		d.Error, d.Invalid = s.errorText(r, err), shrooms.ErrorField(err)
		if shrooms.ErrorCode(err) == shrooms.ENOTFOUND && d.Invalid == "" {
			d.Error = s.translator(r)("items.error.reference", "Message", d.Error)
		}
	case shrooms.ETOOMANY:
		status = http.StatusTooManyRequests
		d.Error = s.errorText(r, err)
		setRetryAfter(w, err)
	case shrooms.ECONFLICT:
		status = http.StatusConflict
		d.Error = s.errorText(r, err)
		if d.Item != nil {
			d.Error = s.translator(r)("items.error.conflict")
		}
	default:
		s.fail(w, r, err, 0)
		return
	}
	s.renderItemForm(w, r, d, status)
}

// renderItemForm loads the form's choices and shows it.
func (s *server) renderItemForm(w http.ResponseWriter, r *http.Request, d *itemFormPage, status int) {
	ctx := r.Context()
	st := stateFrom(ctx)
	d.Kinds, d.Statuses, d.Conditions, d.Audiences = shrooms.ItemKinds, shrooms.ItemStatuses, shrooms.Conditions, shrooms.Audiences
	d.Locations, d.MaxPhotos = st.Settings.HasModule("locations"), shrooms.MaxPhotos
	if d.Item == nil {
		d.KindAudiences = map[shrooms.ItemKind]shrooms.Audience{}
		for _, k := range shrooms.ItemKinds {
			d.KindAudiences[k] = st.Settings.DefaultAudience(shrooms.ItemModule(k))
		}
	}
	var err error
	if d.Categories, err = s.Categories.FindCategories(ctx); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if catID, _ := optionalID(d.F.Category, "category"); catID != 0 {
		// An unknown category shows no fields; saving says why.
		d.Defs, _ = s.Categories.FindFieldsFor(ctx, catID)
	}
	if d.Locations {
		if d.Places, err = s.Places.FindPlaces(ctx); err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			s.fail(w, r, err, 0)
			return
		}
		d.Map = s.selectMap(d.Places)
	}
	kits, _, err := s.Items.FindItems(ctx, shrooms.ItemFilter{Kind: shrooms.KindKit, Sort: shrooms.SortName, Limit: 500})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, k := range kits {
		if d.Item == nil || k.ID != d.Item.ID {
			d.Kits = append(d.Kits, k)
		}
	}
	if d.Item != nil {
		d.KeepKit = unlistedCurrent(d.F.Kit, d.Item.KitID, d.Kits, func(k *shrooms.Item) int64 { return k.ID })
		d.KeepPlace = unlistedCurrent(d.F.Place, d.Item.PlaceID, d.Places, func(p *shrooms.Place) int64 { return p.ID })
	}
	if s.Loans != nil {
		if rules, err := s.Loans.FindLendingRules(ctx); err == nil {
			d.OrgRenewals, d.OrgRules = rules.RenewalLimit, true
		}
	}
	if d.Manage {
		d.Owners = s.ownerChoices(r, d.Item)
		if d.Groups, err = s.Groups.FindGroups(ctx); err != nil {
			s.Logger.Warn("item form groups", "err", err)
		}
	}
	title := "items.new.title"
	if d.Item != nil {
		title = "items.edit.title"
	}
	s.render(w, r, status, "item_form", title, d)
}

// ownerChoices are the members an item may belong to: every account for
// admins; others see themselves and the current owner (listing accounts
// is for admins).
func (s *server) ownerChoices(r *http.Request, item *shrooms.Item) []option {
	var out []option
	seen := map[int64]bool{}
	add := func(id int64, name string) {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, option{ID: id, Name: name})
		}
	}
	if users, err := s.allUsers(r); err == nil {
		for _, u := range users {
			add(u.ID, userLabel(u))
		}
	}
	if u := stateFrom(r.Context()).User; u != nil {
		add(u.ID, userLabel(u))
	}
	if item != nil {
		add(item.OwnerID, item.OwnerName)
	}
	return out
}

func userLabel(u *shrooms.User) string {
	if u.Name != "" && u.Name != u.Username {
		return u.Name + " (" + u.Username + ")"
	}
	return u.Username
}

func itemPath(id int64) string { return "/items/" + strconv.FormatInt(id, 10) }

// unlistedCurrent returns chosen when it is the item's current reference
// current and none of the listed choices: a target the editor may not
// read (or beyond the list's length), which the form must keep as is.
func unlistedCurrent[T any](chosen string, current int64, listed []T, id func(T) int64) string {
	if current == 0 || chosen != strconv.FormatInt(current, 10) {
		return ""
	}
	for _, c := range listed {
		if id(c) == current {
			return ""
		}
	}
	return chosen
}
