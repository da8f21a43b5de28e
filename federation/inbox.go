package federation

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// handleInbox is the inbox pipeline up to the 202: size and depth limits,
// @context, HTTP signature, origin checks, durable storage. Typing and side
// effects happen after the reply, in processInbox.
func (f *Federation) handleInbox(w http.ResponseWriter, r *http.Request) {
	if err := f.acceptInbox(w, r); err != nil {
		var rf *refusal
		if errors.As(err, &rf) {
			writeError(w, rf.status, rf.reason)
			return
		}
		f.cfg.Logger.Error("inbox", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (f *Federation) acceptInbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if !activityContentType(r.Header.Get("Content-Type")) {
		return refuse(http.StatusUnsupportedMediaType, "Content-Type must be application/activity+json or application/ld+json")
	}
	if handle, ok := mux.Vars(r)["handle"]; ok {
		if _, err := f.svc.Actors.FindLocalActor(ctx, handle); err != nil {
			return refuse(http.StatusNotFound, "no such actor")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, f.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return refuse(http.StatusRequestEntityTooLarge, "activity larger than %d bytes", f.cfg.MaxBodyBytes)
		}
		return refuse(http.StatusBadRequest, "cannot read body")
	}
	env, err := vocab.ParseEnvelope(body, f.cfg.MaxJSONDepth)
	if err != nil {
		return refuse(http.StatusBadRequest, "%s", shrooms.ErrorMessage(err))
	}
	if !env.HasContext {
		return refuse(http.StatusBadRequest, "@context is required")
	}
	signer, err := f.verifyRequest(ctx, r, body)
	if err != nil {
		return err
	}
	if err := f.checkOrigin(env, signer); err != nil {
		return err
	}
	inserted, err := f.svc.Inbox.SaveInboxActivity(ctx, &shrooms.InboxActivity{
		ActivityIRI: env.ID, ActorIRI: signer.IRI, Raw: body, ReceivedAt: f.cfg.Now(),
	})
	if shrooms.ErrorCode(err) == shrooms.EFORBIDDEN {
		// Our admin blocked the signer or its host: nothing was stored.
		return refuse(http.StatusForbidden, "%s", shrooms.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	if inserted {
		f.Wake()
	}
	return nil
}

// checkOrigin makes sure the signer speaks only for itself: it is the
// activity's actor, the activity lives on its host, and an embedded object
// comes from that host too (or from this node, whose own copy is used).
func (f *Federation) checkOrigin(env *vocab.Envelope, signer *shrooms.Actor) error {
	if env.Actor != signer.IRI {
		return refuse(http.StatusForbidden, "signed by %s but the activity's actor is %s", signer.IRI, env.Actor)
	}
	if shrooms.HostOf(env.ID) != signer.Host {
		return refuse(http.StatusForbidden, "activity id is not on the actor's host %s", signer.Host)
	}
	if env.ObjectEmbedded && env.ObjectID != "" {
		host := shrooms.HostOf(env.ObjectID)
		if host != signer.Host && !f.cfg.IRIs.Local(env.ObjectID) {
			return refuse(http.StatusForbidden, "embedded object %s is not on the actor's host; send its IRI instead", env.ObjectID)
		}
	}
	return nil
}

func activityContentType(v string) bool {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json", "application/json":
		return true
	case "application/ld+json":
		p, ok := params["profile"]
		return !ok || strings.Contains(p, "https://www.w3.org/ns/activitystreams")
	}
	return false
}

// writeError answers with a status and a short JSON reason.
func writeError(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": reason})
}
