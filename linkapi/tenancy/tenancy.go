package tenancy

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/internal/base62"
	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/cockroachdb/pebble/v2"
)

// Workspaces, API keys and branded domains live in the link store's pebble
// database beside the links, as JSON records:
//
//	"w/<workspace id>"  a Workspace (the default workspace needs no record)
//	"ak/<key id>"       an APIKey: the SHA-256 of the secret, never the secret
//	"d/<domain>"        a Domain: which workspace owns the host name
//
// They change rarely and are read on every API request (keys) or create
// (domains); pebble's block cache keeps them in memory.

const (
	workspacePrefix = "w/"
	apiKeyPrefix    = "ak/"
	domainPrefix    = "d/"
)

// ErrWorkspaceNotFound, ErrKeyNotFound and ErrDomainNotFound are returned
// for records that do not exist (or belong to another workspace).
var (
	ErrWorkspaceNotFound = errors.New("workspace not found")
	ErrKeyNotFound       = errors.New("api key not found")
	ErrDomainNotFound    = errors.New("domain not found")
	// ErrDomainTaken is returned by AddDomain when another workspace has
	// registered the domain (or it is the default domain).
	ErrDomainTaken = errors.New("domain registered by another workspace")
)

// Workspace is a tenant: links, domains, webhook endpoints and keys belong
// to one.
type Workspace struct {
	ID        string    `json:"id"` // "ws_" + 16 base62, or redirect.DefaultWorkspaceID
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// DestinationAllowHosts and DestinationDenyHosts narrow the
	// destinations the workspace's links may have, on top of the server's
	// DestinationPolicy (same patterns: "shop.example.com" or
	// "*.example.com", normalized as hosts are by internal/urlrule, which
	// checks them with PatternProblem): with an allow list, every
	// destination host must match it; a host on the deny list is refused.
	DestinationAllowHosts []string  `json:"destination_allow_hosts"`
	DestinationDenyHosts  []string  `json:"destination_deny_hosts"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// MaxWorkspaceHosts bounds each of a workspace's destination host lists.
const MaxWorkspaceHosts = 1000

// Validate checks the workspace's name and host lists, naming the field.
func (w *Workspace) Validate() error {
	if msg := redirect.TextProblem(w.Name, MaxWorkspaceNameLen); msg != "" {
		return redirect.FieldErrorf("name", "%s", msg)
	}
	for _, list := range []struct {
		name  string
		hosts []string
	}{{"destination_allow_hosts", w.DestinationAllowHosts}, {"destination_deny_hosts", w.DestinationDenyHosts}} {
		if len(list.hosts) > MaxWorkspaceHosts {
			return redirect.FieldErrorf(list.name, "at most %d hosts, got %d", MaxWorkspaceHosts, len(list.hosts))
		}
		for i, h := range list.hosts {
			if msg := urlrule.PatternProblem(h); msg != "" {
				return redirect.FieldErrorf(fmt.Sprintf("%s[%d]", list.name, i), "%s", msg)
			}
		}
	}
	return nil
}

// MaxWorkspaceNameLen bounds Workspace.Name and APIKey.Name.
const MaxWorkspaceNameLen = 100

// NewWorkspaceID returns a new random workspace id.
func NewWorkspaceID() string { return "ws_" + base62.Random(16) }

func validWorkspaceID(id string) bool {
	return id == redirect.DefaultWorkspaceID || (len(id) == 19 && strings.HasPrefix(id, "ws_") && base62.All(id[3:]))
}

// CreateWorkspace stores w, which must have a new id.
func (s *Store) CreateWorkspace(ctx context.Context, w *Workspace) error {
	if !validWorkspaceID(w.ID) || w.ID == redirect.DefaultWorkspaceID {
		return redirect.FieldErrorf("id", "want ws_ and 16 base62 characters")
	}
	if err := w.Validate(); err != nil {
		return err
	}
	return pebblekv.PutJSON(ctx, s.db, []byte(workspacePrefix+w.ID), w)
}

// UpdateWorkspace stores the changed settings of an existing workspace
// (the default workspace included).
func (s *Store) UpdateWorkspace(ctx context.Context, w *Workspace) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if _, err := s.GetWorkspace(ctx, w.ID); err != nil {
		return err
	}
	return pebblekv.PutJSON(ctx, s.db, []byte(workspacePrefix+w.ID), w)
}

// GetWorkspace returns the workspace with id. The default workspace always
// exists.
func (s *Store) GetWorkspace(ctx context.Context, id string) (*Workspace, error) {
	if !validWorkspaceID(id) {
		return nil, ErrWorkspaceNotFound
	}
	var w Workspace
	if err := pebblekv.GetJSON(ctx, s.db, []byte(workspacePrefix+id), &w); err != nil {
		if errors.Is(err, pebble.ErrNotFound) {
			if id == redirect.DefaultWorkspaceID { // exists without a record until its settings change
				return &Workspace{ID: redirect.DefaultWorkspaceID, Name: "Default"}, nil
			}
			return nil, ErrWorkspaceNotFound
		}
		return nil, err
	}
	return &w, nil
}

// ListWorkspaces returns every workspace but the default one, in id order.
func (s *Store) ListWorkspaces(ctx context.Context) ([]*Workspace, error) {
	return pebblekv.ListJSON(ctx, s.db, workspacePrefix, func(w *Workspace) bool { return w.ID != redirect.DefaultWorkspaceID })
}

// APIKey is a stored API key. The secret is shown once, when created; the
// store keeps its SHA-256 (a key has 190 random bits, so a fast hash is
// enough: nobody can try them all).
type APIKey struct {
	ID          string     `json:"id"` // "key_" + 12 base62
	WorkspaceID string     `json:"workspace_id"`
	Name        string     `json:"name"`
	Scopes      []string   `json:"scopes"` // sorted, from KeyScopes
	Hash        string     `json:"hash"`   // hex SHA-256 of the whole key
	Prefix      string     `json:"prefix"` // the key's first 12 characters, to recognise it
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"` // key id of the creator
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// Key layout: "ctk_" + the 12 characters of the id after "key_" + 32 secret
// characters.
const (
	keyTokenPrefix = "ctk_"
	keyIDRandLen   = 12
	keySecretLen   = 32
	keyTokenLen    = len(keyTokenPrefix) + keyIDRandLen + keySecretLen
)

// NewAPIKey returns a new key of workspace with scopes, and its secret
// token (the whole key as the client sends it), which only the caller ever
// sees.
func NewAPIKey(workspace, name string, scopes []string, createdBy string, now time.Time) (*APIKey, string) {
	idPart := base62.Random(keyIDRandLen)
	token := keyTokenPrefix + idPart + base62.Random(keySecretLen)
	sum := sha256.Sum256([]byte(token))
	return &APIKey{
		ID: "key_" + idPart, WorkspaceID: workspace, Name: name,
		Scopes: slices.Compact(slices.Sorted(slices.Values(scopes))),
		Hash:   hex.EncodeToString(sum[:]), Prefix: token[:12],
		CreatedAt: now, CreatedBy: createdBy,
	}, token
}

// KeyIDOfToken returns the id a created key's token names, if it has the
// form of one.
func KeyIDOfToken(token string) (string, bool) {
	if len(token) != keyTokenLen || !strings.HasPrefix(token, keyTokenPrefix) || !base62.All(token[len(keyTokenPrefix):]) {
		return "", false
	}
	return "key_" + token[len(keyTokenPrefix):len(keyTokenPrefix)+keyIDRandLen], true
}

// ValidateScopes checks scopes against KeyScopes, naming the first bad one.
func ValidateScopes(scopes []string) error {
	if len(scopes) == 0 {
		return redirect.FieldErrorf("scopes", "at least one scope is required; known: %s", strings.Join(KeyScopes, ", "))
	}
	for i, sc := range scopes {
		if !slices.Contains(KeyScopes, sc) {
			return redirect.FieldErrorf(fmt.Sprintf("scopes[%d]", i), "unknown scope %q; known: %s", sc, strings.Join(KeyScopes, ", "))
		}
	}
	return nil
}

// CreateAPIKey stores k.
func (s *Store) CreateAPIKey(ctx context.Context, k *APIKey) error {
	if msg := redirect.TextProblem(k.Name, MaxWorkspaceNameLen); msg != "" {
		return redirect.FieldErrorf("name", "%s", msg)
	}
	if err := ValidateScopes(k.Scopes); err != nil {
		return err
	}
	return pebblekv.PutJSON(ctx, s.db, []byte(apiKeyPrefix+k.ID), k)
}

// GetAPIKey returns the key with id of workspace (any workspace when
// workspace is ""), or ErrKeyNotFound.
func (s *Store) GetAPIKey(ctx context.Context, workspace, id string) (*APIKey, error) {
	var k APIKey
	if err := pebblekv.GetJSON(ctx, s.db, []byte(apiKeyPrefix+id), &k); err != nil {
		if errors.Is(err, pebble.ErrNotFound) {
			return nil, ErrKeyNotFound
		}
		return nil, err
	}
	if workspace != "" && k.WorkspaceID != workspace {
		return nil, ErrKeyNotFound
	}
	return &k, nil
}

// Authenticate returns the unrevoked stored key whose token this is, or
// ErrKeyNotFound. The comparison of hashes takes constant time.
func (s *Store) Authenticate(ctx context.Context, token string) (*APIKey, error) {
	id, ok := KeyIDOfToken(token)
	if !ok {
		return nil, ErrKeyNotFound
	}
	k, err := s.GetAPIKey(ctx, "", id)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(token))
	want, err := hex.DecodeString(k.Hash)
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 || k.RevokedAt != nil {
		return nil, ErrKeyNotFound
	}
	return k, nil
}

// ListAPIKeys returns the keys of workspace, revoked ones included, in id
// order.
func (s *Store) ListAPIKeys(ctx context.Context, workspace string) ([]*APIKey, error) {
	return pebblekv.ListJSON(ctx, s.db, apiKeyPrefix, func(k *APIKey) bool { return k.WorkspaceID == workspace })
}

// RevokeAPIKey marks the key of workspace (any workspace when "") revoked
// at now; it stops working at once. A revoked key stays listed. Revoking
// twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, workspace, id string, now time.Time) (*APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.GetAPIKey(ctx, workspace, id)
	if err != nil {
		return nil, err
	}
	if k.RevokedAt == nil {
		k.RevokedAt = &now
		if err := pebblekv.PutJSON(ctx, s.db, []byte(apiKeyPrefix+k.ID), k); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Domain is a branded short-link domain registered by a workspace.
type Domain struct {
	Domain      string    `json:"domain"`
	WorkspaceID string    `json:"workspace_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// AddDomain registers d.Domain for d.WorkspaceID. It returns ErrDomainTaken
// when another workspace holds it; adding a domain the workspace already
// holds returns the stored record.
func (s *Store) AddDomain(ctx context.Context, d *Domain) (*Domain, error) {
	if err := redirect.ValidateDomain(d.Domain); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.GetDomain(ctx, d.Domain)
	switch {
	case err == nil && old.WorkspaceID == d.WorkspaceID:
		return old, nil
	case err == nil:
		return nil, ErrDomainTaken
	case !errors.Is(err, ErrDomainNotFound):
		return nil, err
	}
	return d, pebblekv.PutJSON(ctx, s.db, []byte(domainPrefix+d.Domain), d)
}

// GetDomain returns the registration of domain, or ErrDomainNotFound.
func (s *Store) GetDomain(ctx context.Context, domain string) (*Domain, error) {
	var d Domain
	if err := pebblekv.GetJSON(ctx, s.db, []byte(domainPrefix+domain), &d); err != nil {
		if errors.Is(err, pebble.ErrNotFound) {
			return nil, ErrDomainNotFound
		}
		return nil, err
	}
	return &d, nil
}

// ListDomains returns the domains of workspace in name order.
func (s *Store) ListDomains(ctx context.Context, workspace string) ([]*Domain, error) {
	return pebblekv.ListJSON(ctx, s.db, domainPrefix, func(d *Domain) bool { return d.WorkspaceID == workspace })
}

// RemoveDomain deletes workspace's registration of domain. Links on it keep
// redirecting; new links can no longer use it.
func (s *Store) RemoveDomain(ctx context.Context, workspace, domain string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.GetDomain(ctx, domain)
	if err != nil {
		return err
	}
	if d.WorkspaceID != workspace {
		return ErrDomainNotFound
	}
	if err := s.db.Delete([]byte(domainPrefix+domain), pebble.Sync); err != nil {
		return fmt.Errorf("delete domain %s: %w", domain, err)
	}
	return nil
}

// Store keeps workspaces, API keys and domains in the link store's pebble
// database. Make one per link store: it serializes its own
// check-then-write updates. It is safe for concurrent use.
type Store struct {
	db *pebble.DB
	// mu serializes the check-then-write of keys and domains.
	mu sync.Mutex
}

// NewStore returns the tenancy records of links' database.
func NewStore(links *redirect.Store) *Store { return &Store{db: links.DB()} }
