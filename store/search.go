package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// Search pages: 20 hits unless asked, never more than 100.
const (
	searchLimit    = 20
	searchMaxLimit = 100
	searchMaxText  = 200
)

// Ranking. FTS5's ORDER BY bm25 ranks every match: a word in 20 % of a
// million cached objects costs 70 to 240 ms. Search ranks a bounded
// candidate set instead: the newest shrooms.MaxSearchCandidates matches
// of each source (ORDER BY rowid DESC LIMIT n walks the index backwards
// and stops), scored by bm25 inside that subquery, then ordered by score.
// A rare word has fewer matches than the bound and ranks all of them.
// Filters (kind, availability, partner) are tokens of the tags column
// matched in the same FTS query, so that the bound counts only matching
// objects. bm25 counts every phrase's documents once a query, tags
// included, so the partner filter is left out when the cache holds no
// other partner's objects, and written as NOT when that is shorter.
// BenchmarkSearchRemote at 1,000,000 objects: see its doc comment.

// remoteWeights and localWeights are the bm25 column weights: a word in
// the name counts most; tags never count.
const (
	remoteRank = `bm25(remote_fts, 10.0, 4.0, 1.0, 0.0)`
	localRank  = `bm25(items_fts, 10.0, 1.0, 1.0)`
)

// scored is one candidate: its row id and bm25 (lower is better).
type scored struct {
	id    int64
	local bool
	bm25  float64
}

// Search returns a page of the best hits for q over the local catalogue
// (the caller's rights applied) and the cache of the partners the query
// or the caller's saved choice includes; only linked, unblocked partners
// are ever searched, and unknown instance IDs are ignored. Text FTS
// syntax is only ever words. Returns EUNAUTHORIZED for anonymous
// callers, EINVALID for an empty or too long text, an unknown kind or a
// negative instance ID.
func (s *SearchService) Search(ctx context.Context, q shrooms.SearchQuery) (*shrooms.SearchResults, error) {
	text := strings.TrimSpace(q.Text)
	switch {
	case text == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "q: enter something to search for").Keyed("search.error.db_q_empty").On("q")
	case utf8.RuneCountInString(text) > searchMaxText:
		return nil, shrooms.Errorf(shrooms.EINVALID, "q: at most %d characters", searchMaxText).Keyed("search.error.db_q_long", "Max", searchMaxText).On("q")
	}
	for _, k := range q.Kinds {
		if !slices.Contains(shrooms.ItemKinds, k) {
			return nil, shrooms.Errorf(shrooms.EINVALID, "type: unknown item kind %q", k).Keyed("search.error.db_type", "Kind", k).On("type")
		}
	}
	for _, id := range q.Instances {
		if id <= 0 {
			return nil, shrooms.Errorf(shrooms.EINVALID, "partner: unknown organisation %d", id).Keyed("search.error.db_partner", "ID", id).On("partner")
		}
	}
	offset, limit := max(q.Offset, 0), q.Limit
	if limit <= 0 {
		limit = searchLimit
	}
	limit = min(limit, searchMaxLimit)
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, err
	}
	instances, err := searchInstances(ctx, tx, p)
	if err != nil {
		return nil, err
	}
	var org *shrooms.Actor
	var local bool
	var partners []int64
	for _, in := range instances {
		if in.Local {
			org = in.Org
		}
		if q.Instances == nil && !in.Included || q.Instances != nil && !slices.Contains(q.Instances, in.Org.ID) {
			continue
		}
		if in.Local {
			local = true
		} else {
			partners = append(partners, in.Org.ID)
		}
	}
	res := &shrooms.SearchResults{Hits: []*shrooms.SearchHit{}}
	words := ftsQuery(text)
	if words == "" {
		return res, nil // only punctuation: nothing to find
	}
	need := offset + limit + 1
	var cands []scored
	if len(partners) > 0 {
		if cands, err = searchRemote(ctx, tx, words, q, partners, need); err != nil {
			return nil, err
		}
	}
	if local {
		loc, err := searchLocal(ctx, tx, p, words, q, need)
		if err != nil {
			return nil, err
		}
		cands = append(cands, loc...)
	}
	// bm25 is negative, lower is better; ties go local first, then newest.
	slices.SortStableFunc(cands, func(a, b scored) int {
		switch {
		case a.bm25 != b.bm25:
			return cmpFloat(a.bm25, b.bm25)
		case a.local != b.local:
			if a.local {
				return -1
			}
			return 1
		}
		return cmpFloat(float64(b.id), float64(a.id))
	})
	if offset >= len(cands) {
		return res, nil
	}
	cands = cands[offset:]
	if len(cands) > limit {
		res.More, cands = true, cands[:limit]
	}
	if res.Hits, err = s.db.loadHits(ctx, tx, org, cands); err != nil {
		return nil, err
	}
	return res, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// remoteMatch builds the FTS5 query over the cache: the words in the
// text columns, then the filter tokens in tags.
func remoteMatch(words string, q shrooms.SearchQuery, partners, cached []int64) string {
	var sb strings.Builder
	sb.WriteString(`({name summary content} : (` + words + `)`)
	or := func(tokens []string) string {
		for k, t := range tokens {
			tokens[k] = `"` + t + `"`
		}
		return ` AND tags : (` + strings.Join(tokens, " OR ") + `)`
	}
	if len(q.Kinds) > 0 {
		var ks []string
		for _, k := range q.Kinds {
			ks = append(ks, tagToken("k", string(k)))
		}
		sb.WriteString(or(ks))
	}
	if q.Available {
		sb.WriteString(or([]string{tagToken("s", string(shrooms.StatusAvailable))}))
	}
	var others []string
	for _, id := range cached {
		if !slices.Contains(partners, id) {
			others = append(others, "a"+strconv.FormatInt(id, 10))
		}
	}
	switch {
	case len(others) == 0: // the cache holds only what may be searched
		sb.WriteString(`)`)
	case len(others) <= len(partners):
		sb.WriteString(`) NOT` + strings.TrimPrefix(or(others), " AND"))
	default:
		var ps []string
		for _, id := range partners {
			ps = append(ps, "a"+strconv.FormatInt(id, 10))
		}
		sb.WriteString(or(ps) + `)`)
	}
	return sb.String()
}

// cachedActors lists the actors with rows in the cache, one index seek
// each (a skip scan): a few partners, however many objects.
func cachedActors(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	var out []int64
	last := int64(-1)
	for {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT actor_id FROM remote_objects WHERE actor_id > ? ORDER BY actor_id LIMIT 1`,
			last).Scan(&id)
		if err == sql.ErrNoRows {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("search: cached partners: %w", err)
		}
		out, last = append(out, id), id
	}
}

// searchRemote returns the best need candidates of the cache.
func searchRemote(ctx context.Context, tx *sql.Tx, words string, q shrooms.SearchQuery, partners []int64, need int) ([]scored, error) {
	cached, err := cachedActors(ctx, tx)
	if err != nil {
		return nil, err
	}
	return rankedIDs(ctx, tx, false, `SELECT rowid, `+remoteRank+` FROM remote_fts WHERE remote_fts MATCH ?
		ORDER BY rowid DESC LIMIT ?`, need, remoteMatch(words, q, partners, cached), shrooms.MaxSearchCandidates)
}

// searchLocal returns the best need candidates of the local catalogue
// that the caller may read; none when the inventory module is off or
// the caller may not read it.
func searchLocal(ctx context.Context, tx *sql.Tx, p shrooms.Principal, words string, q shrooms.SearchQuery, need int) ([]scored, error) {
	c := itemCaller{p: p}
	if !p.System {
		on, err := moduleOn(ctx, tx, inventory)
		if err != nil || !on {
			return nil, err
		}
		if c.grants, err = findGrants(ctx, tx); err != nil {
			return nil, err
		}
		if c.module(shrooms.AccessRead) != nil {
			return nil, nil
		}
	}
	cond, args := c.visibility()
	conds := []string{`items_fts MATCH ?`, cond}
	args = append([]any{words}, args...)
	if len(q.Kinds) > 0 {
		conds = append(conds, `+i.kind IN (`+strings.TrimSuffix(strings.Repeat("?,", len(q.Kinds)), ",")+`)`)
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if q.Available {
		conds, args = append(conds, `+i.status = ?`), append(args, string(shrooms.StatusAvailable))
	}
	return rankedIDs(ctx, tx, true, `SELECT i.id, `+localRank+` FROM items_fts JOIN items i ON i.id = items_fts.rowid`+
		where(conds)+` ORDER BY items_fts.rowid DESC LIMIT ?`, need, append(args, shrooms.MaxSearchCandidates)...)
}

// rankedIDs runs a candidate query (id, bm25; newest first, bounded) and
// keeps the need best by score.
func rankedIDs(ctx context.Context, tx *sql.Tx, local bool, candidates string, need int, args ...any) ([]scored, error) {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM (`+candidates+`) ORDER BY 2, 1 DESC LIMIT ?`, append(args, need)...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []scored
	for rows.Next() {
		s := scored{local: local}
		if err := rows.Scan(&s.id, &s.bm25); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return out, nil
}

// loadHits loads the page's objects and items, in the order of cands.
func (db *DB) loadHits(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, cands []scored) ([]*shrooms.SearchHit, error) {
	var remoteIDs, localIDs []any
	for _, c := range cands {
		if c.local {
			localIDs = append(localIDs, c.id)
		} else {
			remoteIDs = append(remoteIDs, c.id)
		}
	}
	marks := func(ids []any) string { return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") }
	remote := map[int64]*shrooms.RemoteObject{}
	local := map[int64]*shrooms.Item{}
	thumbs := map[int64]string{}
	if len(remoteIDs) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT `+remoteColumns+` FROM remote_objects r WHERE r.id IN (`+marks(remoteIDs)+`)`, remoteIDs...)
		if err != nil {
			return nil, fmt.Errorf("search: load objects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanRemote(rows)
			if err != nil {
				return nil, fmt.Errorf("search: load objects: %w", err)
			}
			remote[o.ID] = o
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: load objects: %w", err)
		}
	}
	if len(localIDs) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+`,
			(SELECT p.thumb_id FROM item_photos p WHERE p.item_id = i.id ORDER BY p.position LIMIT 1)
			FROM items i WHERE i.id IN (`+marks(localIDs)+`)`, localIDs...)
		if err != nil {
			return nil, fmt.Errorf("search: load items: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var thumb sql.NullInt64
			i, err := db.scanItem(rows, &thumb)
			if err != nil {
				return nil, fmt.Errorf("search: load items: %w", err)
			}
			local[i.ID] = i
			if thumb.Valid {
				thumbs[i.ID] = db.iris.Media(thumb.Int64)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: load items: %w", err)
		}
	}
	actors := map[int64]*shrooms.Actor{}
	out := make([]*shrooms.SearchHit, 0, len(cands))
	for _, c := range cands {
		h := &shrooms.SearchHit{Score: -c.bm25}
		if c.local {
			i := local[c.id]
			if i == nil {
				continue
			}
			h.Org, h.Local, h.Name, h.Summary, h.Kind, h.Status = org, i, i.Name, i.Description, i.Kind, i.Status
			h.URL, h.ImageURL = db.iris.Item(i.ID), thumbs[i.ID]
		} else {
			o := remote[c.id]
			if o == nil {
				continue
			}
			if actors[o.ActorID] == nil {
				a, err := findActorByID(ctx, tx, o.ActorID)
				if err != nil {
					return nil, err
				}
				actors[o.ActorID] = a
			}
			o.Actor = actors[o.ActorID]
			h.Org, h.Remote, h.Name, h.Summary, h.Kind, h.Status = o.Actor, o, o.Name, o.Summary, o.Kind, o.Status
			h.URL, h.ImageURL = o.URL, o.ImageURL
			if h.URL == "" {
				h.URL = o.IRI
			}
		}
		out = append(out, h)
	}
	return out, nil
}
