package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/itemcsv"
)

// Pending imports: the preview parses and checks the upload; the
// confirmation imports what the preview showed. In between, the upload
// waits on disk in the data dir (Deps.ImportDir), one folder per user,
// never in memory: a parsed 10 MB file takes about ten times that, and
// a restart loses nothing. Each preview is two files named by its token:
// TOKEN.csv, the file as uploaded, and TOKEN.json, what the preview page
// shows. Both carry the preview's creation time (the node's clock) as
// their modification time, so that expiry needs no read.
const (
	pendingImportTTL = 30 * time.Minute
	// maxPendingPerUser previews wait per user, at most itemcsv.MaxBytes
	// each: a further upload drops the user's oldest.
	maxPendingPerUser = 3
)

// Suffixes of a preview's files. An upload is .upload until it has been
// checked; a preview being confirmed is .taken, so that two
// confirmations cannot both import it.
const (
	extUpload = ".upload"
	extCSV    = ".csv"
	extTaken  = ".taken"
	extMeta   = ".json"
)

// pendingToken is the form of a preview's token, checked before it
// becomes part of a path.
var pendingToken = regexp.MustCompile(`^[0-9a-f]{32}$`)

// pendingMeta is what a preview page shows, kept beside the upload.
type pendingMeta struct {
	File    string               `json:"file"`
	Created time.Time            `json:"created"`
	Rows    int                  `json:"rows"`
	Preview []itemcsv.PreviewRow `json:"preview"`
	Errors  []shrooms.RowError   `json:"errors"`
}

// pendingImports keeps the previews of every user under dir.
type pendingImports struct {
	dir string
	mu  sync.Mutex // orders this process's renames and sweeps
}

// openPendingImports makes the folder of pending imports if needed.
func openPendingImports(dir string) (*pendingImports, error) {
	if dir == "" {
		return nil, errors.New("handlers: Deps.ImportDir is required (where CSV import previews wait)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("import previews: %w", err)
	}
	return &pendingImports{dir: dir}, nil
}

func (ps *pendingImports) userDir(userID int64) string {
	return filepath.Join(ps.dir, strconv.FormatInt(userID, 10))
}

func (ps *pendingImports) path(userID int64, tok, ext string) string {
	return filepath.Join(ps.userDir(userID), tok+ext)
}

// save writes an upload under a new token, at most itemcsv.MaxBytes+1
// bytes (itemcsv tells a larger one), and returns the token and the
// file's path.
func (ps *pendingImports) save(userID int64, in io.Reader, now time.Time) (string, string, error) {
	tok := shrooms.RandomToken(16)
	path := ps.path(userID, tok, extUpload)
	f, err := ps.create(userID, path)
	if err != nil {
		return "", "", fmt.Errorf("import upload: %w", err)
	}
	_, err = io.Copy(f, io.LimitReader(in, itemcsv.MaxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(path, now, now)
	}
	if err != nil {
		os.Remove(path)
		return "", "", fmt.Errorf("import upload: %w", err)
	}
	return tok, path, nil
}

// create makes a new file in the user's folder, which a sweep may have
// just removed.
func (ps *pendingImports) create(userID int64, path string) (*os.File, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := os.MkdirAll(ps.userDir(userID), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// discard removes an upload that was not kept.
func (ps *pendingImports) discard(userID int64, tok string) {
	os.Remove(ps.path(userID, tok, extUpload))
}

// keep turns a checked upload into a preview: it sweeps expired previews,
// drops the user's oldest beyond maxPendingPerUser, and writes meta.
// dropped says whether one of the user's previews made room.
func (ps *pendingImports) keep(userID int64, tok string, meta *pendingMeta) (dropped bool, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.sweep(meta.Created)
	for {
		toks := ps.waiting(userID)
		if len(toks) < maxPendingPerUser {
			break
		}
		ps.remove(userID, toks[0])
		dropped = true
	}
	if err := ps.writeMeta(userID, tok, meta); err != nil {
		return dropped, err
	}
	if err := os.Rename(ps.path(userID, tok, extUpload), ps.path(userID, tok, extCSV)); err != nil {
		ps.remove(userID, tok)
		return dropped, fmt.Errorf("import preview: %w", err)
	}
	return dropped, nil
}

// waiting lists the user's previews, oldest first.
func (ps *pendingImports) waiting(userID int64) []string {
	entries, _ := os.ReadDir(ps.userDir(userID))
	type preview struct {
		tok string
		at  time.Time
	}
	var list []preview
	for _, e := range entries {
		tok, ok := strings.CutSuffix(e.Name(), extCSV)
		if info, err := e.Info(); ok && err == nil {
			list = append(list, preview{tok, info.ModTime()})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].at.Before(list[j].at) })
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = p.tok
	}
	return out
}

// writeMeta writes a preview's page, with the preview's creation time.
func (ps *pendingImports) writeMeta(userID int64, tok string, meta *pendingMeta) error {
	b, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("import preview: %w", err)
	}
	path := ps.path(userID, tok, extMeta)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("import preview: %w", err)
	}
	if err := os.Chtimes(tmp, meta.Created, meta.Created); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("import preview: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("import preview: %w", err)
	}
	return nil
}

// meta returns the user's preview tok, nil when it is unknown, expired or
// someone else's: nobody sees or confirms another person's upload.
func (ps *pendingImports) meta(userID int64, tok string, now time.Time) (*pendingMeta, error) {
	if !pendingToken.MatchString(tok) {
		return nil, nil
	}
	b, err := os.ReadFile(ps.path(userID, tok, extMeta))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("import preview: %w", err)
	}
	var m pendingMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("import preview %s: %w", tok, err)
	}
	if now.Sub(m.Created) > pendingImportTTL {
		return nil, nil
	}
	return &m, nil
}

// take claims the user's preview for a confirmation and returns it with
// the path of its file; nil when there is none to claim (unknown,
// expired, someone else's, or being confirmed already).
func (ps *pendingImports) take(userID int64, tok string, now time.Time) (*pendingMeta, string, error) {
	m, err := ps.meta(userID, tok, now)
	if m == nil || err != nil {
		return nil, "", err
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	taken := ps.path(userID, tok, extTaken)
	if err := os.Rename(ps.path(userID, tok, extCSV), taken); errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", fmt.Errorf("import preview: %w", err)
	}
	return m, taken, nil
}

// restore gives back a preview taken but not imported, with meta (its
// errors may have changed).
func (ps *pendingImports) restore(userID int64, tok string, meta *pendingMeta) error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.writeMeta(userID, tok, meta); err != nil {
		return err
	}
	if err := os.Rename(ps.path(userID, tok, extTaken), ps.path(userID, tok, extCSV)); err != nil {
		return fmt.Errorf("import preview: %w", err)
	}
	return nil
}

// done removes an imported preview.
func (ps *pendingImports) done(userID int64, tok string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.remove(userID, tok)
}

// remove deletes every file of a preview.
func (ps *pendingImports) remove(userID int64, tok string) {
	for _, ext := range []string{extCSV, extTaken, extMeta, extUpload} {
		os.Remove(ps.path(userID, tok, ext))
	}
}

// sweep deletes the files of every user's expired previews, and the
// folders they leave empty. Only files made for previews go: their
// modification time is the preview's creation time.
func (ps *pendingImports) sweep(now time.Time) {
	users, _ := os.ReadDir(ps.dir)
	for _, u := range users {
		if !u.IsDir() {
			continue
		}
		dir := filepath.Join(ps.dir, u.Name())
		files, _ := os.ReadDir(dir)
		left := len(files)
		for _, f := range files {
			if info, err := f.Info(); err == nil && !f.IsDir() && now.Sub(info.ModTime()) > pendingImportTTL {
				if os.Remove(filepath.Join(dir, f.Name())) == nil {
					left--
				}
			}
		}
		if left == 0 {
			os.Remove(dir)
		}
	}
}
