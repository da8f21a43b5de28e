package itemcsv

import (
	"context"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// csvNames resolves category, place and owner names of an import through
// the services, loading each list once.
type csvNames struct {
	s          *Services
	ctx        context.Context
	cats       *nameIndex
	places     *nameIndex
	placesErr  error
	owners     map[string]int64
	catsLoaded bool
}

// nameIndex finds a record of a tree by its path ("Tools › Power tools",
// or with ">") or by its name when that is unique.
type nameIndex struct {
	byPath map[string]int64
	byName map[string][]int64
}

// normPath puts a path in one comparable form.
func normPath(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '›' || r == '>' })
	for i := range parts {
		parts[i] = strings.ToLower(strings.Join(strings.Fields(parts[i]), " "))
	}
	return strings.Join(parts, " › ")
}

func newNameIndex() *nameIndex {
	return &nameIndex{byPath: map[string]int64{}, byName: map[string][]int64{}}
}

func (x *nameIndex) add(id int64, name, path string) {
	x.byPath[normPath(path)] = id
	n := strings.ToLower(strings.Join(strings.Fields(name), " "))
	x.byName[n] = append(x.byName[n], id)
}

// find returns the record's ID, or the problem saying why there is none.
func (x *nameIndex) find(v string) (int64, problem) {
	if id, ok := x.byPath[normPath(v)]; ok {
		return id, problem{}
	}
	switch ids := x.byName[strings.ToLower(strings.Join(strings.Fields(v), " "))]; len(ids) {
	case 1:
		return ids[0], problem{}
	case 0:
		return 0, problemNotFound
	}
	return 0, problemAmbiguous
}

func (n *csvNames) category(v string) (int64, problem, error) {
	if !n.catsLoaded {
		cats, err := n.s.Categories.FindCategories(n.ctx)
		if err != nil {
			return 0, problem{}, err
		}
		n.cats, n.catsLoaded = newNameIndex(), true
		for _, c := range cats {
			n.cats.add(c.ID, c.Name, c.Path)
		}
	}
	id, p := n.cats.find(v)
	return id, p, nil
}

func (n *csvNames) place(v string) (int64, problem, error) {
	if n.places == nil && n.placesErr == nil {
		places, err := n.s.Places.FindPlaces(n.ctx)
		if err != nil {
			if shrooms.ErrorCode(err) != shrooms.ENOTFOUND { // the locations module is off
				return 0, problem{}, err
			}
			n.placesErr = err
		}
		n.places = newNameIndex()
		for _, p := range places {
			n.places.add(p.ID, p.Name, p.Path)
		}
	}
	id, p := n.places.find(v)
	return id, p, nil
}

// owner resolves a username. FindUsers is for admins only, and staff who
// import need owners too: FindUserByUsername answers anyone.
func (n *csvNames) owner(v string) (int64, problem, error) {
	if id, ok := n.owners[v]; ok {
		if id == 0 {
			return 0, problemNoMember, nil
		}
		return id, problem{}, nil
	}
	u, err := n.s.Users.FindUserByUsername(n.ctx, strings.TrimPrefix(v, "@"))
	switch {
	case shrooms.ErrorCode(err) == shrooms.ENOTFOUND:
		n.owners[v] = 0
		return 0, problemNoMember, nil
	case err != nil:
		return 0, problem{}, err
	}
	n.owners[v] = u.ID
	return u.ID, problem{}, nil
}
