package browser

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// admitLocked decides what to do with a command: it returns the replies of
// a command the relay answers or refuses itself, or the pending entry of
// one to forward.
func (r *relay) admitLocked(c *relayClient, m *frame) ([][]byte, *pendingCmd) {
	refuse := func(format string, args ...any) ([][]byte, *pendingCmd) {
		r.stats.Refused++
		return [][]byte{errorFrame(m.ID, m.SessionID, "mfconform relay: "+fmt.Sprintf(format, args...))}, nil
	}
	if m.SessionID != "" {
		if s := r.sessions[m.SessionID]; s == nil || s.owner != c {
			return refuse("no session %s for this client", m.SessionID)
		}
	}
	var ps refParams
	domain, _, _ := strings.Cut(m.Method, ".")
	if (domain == "Target" || domain == "Browser" || domain == "Storage") && len(m.Params) > 0 {
		if err := json.Unmarshal(m.Params, &ps); err != nil {
			return refuse("%s: bad params: %v", m.Method, err)
		}
	}
	if m.SessionID == "" {
		switch m.Method {
		case "Target.setDiscoverTargets":
			return r.discoverLocked(c, m.ID, ps.Discover), nil
		case "Target.setAutoAttach", "Target.setRemoteLocations":
			return refuse("%s on the browser would reach every client; use it on a session", m.Method)
		case "Browser.close", "Browser.crash", "Browser.crashGpuProcess", "Target.attachToBrowserTarget":
			if !c.owner {
				return refuse("only the process that launched the browser may call %s", m.Method)
			}
		}
	}
	if !c.owner {
		if ps.TargetID != "" && !r.seesLocked(c, ps.TargetID) {
			return refuse("no target %s for this client", ps.TargetID)
		}
		if ps.BrowserContextID != "" && r.contexts[ps.BrowserContextID] != c {
			return refuse("no browser context %s for this client", ps.BrowserContextID)
		}
		if ps.SessionID != "" {
			if s := r.sessions[ps.SessionID]; s == nil || s.owner != c {
				return refuse("no session %s for this client", ps.SessionID)
			}
		}
	}
	p := &pendingCmd{c: c, clientID: m.ID, method: m.Method, session: m.SessionID}
	switch m.Method {
	case "Target.attachToTarget":
		p.target = ps.TargetID
	case "Target.disposeBrowserContext":
		p.context = ps.BrowserContextID
	}
	return nil, p
}

// discoverLocked answers Target.setDiscoverTargets: the relay discovers
// targets for everyone, and a client that starts discovering is told of
// the targets it sees, as Chromium would.
func (r *relay) discoverLocked(c *relayClient, id int64, on bool) [][]byte {
	var out [][]byte
	if on && !c.discover {
		ts := make([]*relayTarget, 0, len(r.targets))
		for _, t := range r.targets {
			if t.info != nil && !t.dead && r.visibleLocked(c, t) {
				ts = append(ts, t)
			}
		}
		slices.SortFunc(ts, func(a, b *relayTarget) int { return cmp.Compare(a.seq, b.seq) })
		for _, t := range ts {
			p, _ := json.Marshal(map[string]json.RawMessage{"targetInfo": t.info})
			if b, err := (&frame{Method: "Target.targetCreated", Params: p}).encode(); err == nil {
				out = append(out, b)
			}
		}
	}
	c.discover = on
	b, _ := (&frame{ID: id, Result: json.RawMessage(`{}`)}).encode()
	return append(out, b)
}

// responseLocked notes what a reply creates or ends and passes it to the
// client that sent the command, under the client's id.
func (r *relay) responseLocked(m *frame) {
	p := r.pending[m.ID]
	if p == nil {
		return
	}
	delete(r.pending, m.ID)
	gone := p.c == nil || p.c.gone
	if len(m.Error) == 0 {
		switch p.method {
		case "Target.createBrowserContext":
			var res struct {
				BrowserContextID string `json:"browserContextId"`
			}
			if json.Unmarshal(m.Result, &res) == nil && res.BrowserContextID != "" {
				r.contexts[res.BrowserContextID] = p.c
				if gone {
					r.cleanup = append(r.cleanup, r.ownCommandLocked("Target.disposeBrowserContext", map[string]any{"browserContextId": res.BrowserContextID}))
				}
			}
		case "Target.createTarget":
			var res infoRef
			if json.Unmarshal(m.Result, &res) == nil && res.TargetID != "" {
				t := r.noteTargetLocked(res.TargetID, nil, "")
				if t.owner == nil {
					t.owner = p.c
				}
				if gone && t.owner == p.c {
					r.cleanup = append(r.cleanup, r.ownCommandLocked("Target.closeTarget", map[string]any{"targetId": res.TargetID}))
				}
				t.owner = ownerLocked(t.owner)
			}
		case "Target.attachToTarget", "Target.attachToBrowserTarget":
			var res refParams
			if json.Unmarshal(m.Result, &res) == nil && res.SessionID != "" {
				if r.sessions[res.SessionID] == nil {
					r.sessions[res.SessionID] = &relaySession{owner: p.c}
				}
				if gone {
					r.forgetSessionLocked(res.SessionID)
					r.cleanup = append(r.cleanup, r.ownCommandLocked("Target.detachFromTarget", map[string]any{"sessionId": res.SessionID}))
				}
			}
		case "Target.disposeBrowserContext":
			delete(r.contexts, p.context)
		case "Target.getTargets":
			if !gone && !p.c.owner {
				m.Result = r.filterTargetsLocked(p.c, m.Result)
			}
		case "Target.getBrowserContexts":
			if !gone && !p.c.owner {
				m.Result = r.filterContextsLocked(p.c, m.Result)
			}
		}
	}
	if gone {
		return
	}
	m.ID = p.clientID
	b, err := m.encode()
	if err != nil {
		b = errorFrame(p.clientID, m.SessionID, "mfconform relay: "+err.Error())
	}
	r.enqueueLocked(p.c, b)
}

// eventLocked routes one event (raw is it encoded).
func (r *relay) eventLocked(m *frame, raw []byte) {
	var ev struct {
		SessionID  string          `json:"sessionId"`
		TargetID   string          `json:"targetId"`
		TargetInfo json.RawMessage `json:"targetInfo"`
	}
	if strings.HasPrefix(m.Method, "Target.") {
		_ = json.Unmarshal(m.Params, &ev)
	}
	var info infoRef
	if len(ev.TargetInfo) > 0 {
		_ = json.Unmarshal(ev.TargetInfo, &info)
	}

	if m.SessionID != "" {
		s := r.sessions[m.SessionID]
		if s == nil {
			r.stats.DroppedEvents++
			return
		}
		switch m.Method {
		case "Target.attachedToTarget":
			r.noteTargetLocked(info.TargetID, ev.TargetInfo, info.BrowserContextID)
			r.sessions[ev.SessionID] = &relaySession{owner: s.owner, parent: m.SessionID}
		case "Target.detachedFromTarget":
			r.forgetSessionLocked(ev.SessionID)
		case "Target.targetCreated", "Target.targetInfoChanged":
			if t := r.noteTargetLocked(info.TargetID, ev.TargetInfo, info.BrowserContextID); !r.visibleLocked(s.owner, t) {
				return
			}
		case "Target.targetDestroyed", "Target.targetCrashed":
			if t := r.targets[ev.TargetID]; t == nil || !r.visibleLocked(s.owner, t) {
				return
			}
		}
		r.enqueueLocked(s.owner, raw)
		return
	}

	switch m.Method {
	case "Target.targetCreated", "Target.targetInfoChanged":
		t := r.noteTargetLocked(info.TargetID, ev.TargetInfo, info.BrowserContextID)
		r.broadcastLocked(t, raw)
	case "Target.targetDestroyed", "Target.targetCrashed":
		t := r.targets[ev.TargetID]
		if t == nil {
			r.stats.DroppedEvents++
			return
		}
		r.broadcastLocked(t, raw)
		if m.Method == "Target.targetDestroyed" {
			r.buryLocked(ev.TargetID)
		}
	case "Target.attachedToTarget":
		r.noteTargetLocked(info.TargetID, ev.TargetInfo, info.BrowserContextID)
		owner := r.attacherLocked(ev.SessionID, info.TargetID)
		if owner == nil {
			r.stats.DroppedEvents++
			return
		}
		r.enqueueLocked(owner, raw)
	case "Target.detachedFromTarget", "Target.receivedMessageFromTarget":
		s := r.sessions[ev.SessionID]
		if s == nil {
			r.stats.DroppedEvents++
			return
		}
		if m.Method == "Target.detachedFromTarget" {
			r.forgetSessionLocked(ev.SessionID)
		}
		r.enqueueLocked(s.owner, raw)
	default:
		r.stats.DroppedEvents++
	}
}

// attacherLocked finds who a browser-level attachedToTarget belongs to:
// the session's owner when its reply came first, else the earliest
// unmatched Target.attachToTarget of that target, else the target's owner.
// It records the session.
func (r *relay) attacherLocked(sessionID, targetID string) *relayClient {
	if s := r.sessions[sessionID]; s != nil {
		return s.owner
	}
	var first *pendingCmd
	var firstID int64
	for id, p := range r.pending {
		if p.method == "Target.attachToTarget" && p.target == targetID && !p.matched && (first == nil || id < firstID) {
			first, firstID = p, id
		}
	}
	var owner *relayClient
	switch {
	case first != nil:
		first.matched = true
		owner = first.c
	case r.targets[targetID] != nil:
		owner = r.targets[targetID].owner
	}
	if owner == nil || owner.gone {
		return nil
	}
	r.sessions[sessionID] = &relaySession{owner: owner}
	return owner
}

// noteTargetLocked records a target (info may be nil when only its id is
// known) and returns it. A new target belongs to the owner of its browser
// context, if any.
func (r *relay) noteTargetLocked(id string, info json.RawMessage, contextID string) *relayTarget {
	t := r.targets[id]
	if t == nil {
		r.targetSeq++
		t = &relayTarget{seq: r.targetSeq}
		if id != "" {
			r.targets[id] = t
		}
	}
	if t.owner == nil && contextID != "" {
		t.owner = ownerLocked(r.contexts[contextID])
	}
	if info != nil {
		t.info = info
	}
	return t
}

// buryLocked keeps a destroyed target for late events, forgetting the
// oldest once there are too many.
func (r *relay) buryLocked(id string) {
	t := r.targets[id]
	if t == nil || t.dead {
		return
	}
	t.dead = true
	r.dead = append(r.dead, id)
	if len(r.dead) > tombstones {
		delete(r.targets, r.dead[0])
		r.dead = r.dead[1:]
	}
}

// visibleLocked reports whether c sees target t.
func (r *relay) visibleLocked(c *relayClient, t *relayTarget) bool {
	return t.owner == nil || t.owner == c
}

// seesLocked reports whether c sees the target with id.
func (r *relay) seesLocked(c *relayClient, id string) bool {
	t := r.targets[id]
	return t != nil && r.visibleLocked(c, t)
}

// broadcastLocked passes a target event to every discovering client that
// sees the target.
func (r *relay) broadcastLocked(t *relayTarget, raw []byte) {
	sent := false
	for c := range r.clients {
		if c.discover && r.visibleLocked(c, t) {
			r.enqueueLocked(c, raw)
			sent = true
		}
	}
	if !sent {
		r.stats.DroppedEvents++
	}
}

// forgetSessionLocked forgets a session and the sessions it auto-attached.
func (r *relay) forgetSessionLocked(id string) {
	delete(r.sessions, id)
	for sid, s := range r.sessions {
		if s.parent == id {
			r.forgetSessionLocked(sid)
		}
	}
}

// filterTargetsLocked keeps the targets c sees in a Target.getTargets reply.
func (r *relay) filterTargetsLocked(c *relayClient, result json.RawMessage) json.RawMessage {
	var res struct {
		TargetInfos []json.RawMessage `json:"targetInfos"`
	}
	if json.Unmarshal(result, &res) != nil {
		return json.RawMessage(`{"targetInfos":[]}`)
	}
	keep := []json.RawMessage{}
	for _, raw := range res.TargetInfos {
		var info infoRef
		if json.Unmarshal(raw, &info) != nil {
			continue
		}
		t := r.targets[info.TargetID]
		if t == nil {
			t = &relayTarget{owner: r.contexts[info.BrowserContextID]}
		}
		if r.visibleLocked(c, t) {
			keep = append(keep, raw)
		}
	}
	res.TargetInfos = keep
	b, _ := json.Marshal(res)
	return b
}

// filterContextsLocked keeps c's own browser contexts in a
// Target.getBrowserContexts reply.
func (r *relay) filterContextsLocked(c *relayClient, result json.RawMessage) json.RawMessage {
	var res struct {
		IDs     []string `json:"browserContextIds"`
		Default string   `json:"defaultBrowserContextId,omitempty"`
	}
	if json.Unmarshal(result, &res) != nil {
		return json.RawMessage(`{"browserContextIds":[]}`)
	}
	res.IDs = slices.DeleteFunc(res.IDs, func(id string) bool { return r.contexts[id] != c })
	if res.IDs == nil {
		res.IDs = []string{}
	}
	b, _ := json.Marshal(res)
	return b
}

// inOwnContextLocked reports whether t lies in a browser context c owns
// (disposing of the context closes it).
func (r *relay) inOwnContextLocked(c *relayClient, t *relayTarget) bool {
	var info infoRef
	if t.info == nil || json.Unmarshal(t.info, &info) != nil {
		return false
	}
	return info.BrowserContextID != "" && r.contexts[info.BrowserContextID] == c
}
