package store

import shrooms "github.com/shrooms-org/shrooms"

// Services holds one service per noun over a shared DB; the DB is embedded
// for what is not a noun (Close, Backup, Migrate, Path, IRIs). Each service
// holds only the DB, so building them is cheap.
type Services struct {
	*DB
	Accounts    *AccountService
	Sessions    *SessionService
	Actors      *ActorService
	Categories  *CategoryService
	Follows     *FollowService
	Items       *ItemService
	Nodes       *NodeService
	Partners    *PartnerService
	Places      *PlaceService
	Profiles    *ProfileService
	Outbox      *OutboxService
	Inbox       *InboxService
	Remote      *RemoteCacheService
	RemoteMedia *RemoteMediaService
	Search      *SearchService
	Settings    *SettingsService
	Media       *MediaService
	Groups      *GroupService
	Stock       *StockService
	Users       *UserService
	Mail        *MailQueue
	Loans       *LoanService
	Notices     *NotificationService
}

// NewServices returns every service over db.
func NewServices(db *DB) *Services {
	remoteMedia := NewRemoteMediaService(db)
	return &Services{
		DB:          db,
		Accounts:    NewAccountService(db),
		Sessions:    NewSessionService(db),
		Actors:      NewActorService(db),
		Categories:  NewCategoryService(db),
		Follows:     NewFollowService(db),
		Items:       NewItemService(db),
		Nodes:       NewNodeService(db),
		Partners:    NewPartnerService(db),
		Places:      NewPlaceService(db),
		Profiles:    NewProfileService(db),
		Outbox:      NewOutboxService(db),
		Inbox:       NewInboxService(db),
		Remote:      &RemoteCacheService{db: db, RemoteMediaService: remoteMedia},
		RemoteMedia: remoteMedia,
		Search:      NewSearchService(db),
		Settings:    NewSettingsService(db),
		Media:       NewMediaService(db),
		Groups:      NewGroupService(db),
		Stock:       NewStockService(db),
		Users:       NewUserService(db),
		Mail:        NewMailQueue(db),
		Loans:       NewLoanService(db),
		Notices:     NewNotificationService(db),
	}
}

// The services implement the root interfaces; the compiler checks it here.
var (
	_ shrooms.LoanService         = (*LoanService)(nil)
	_ shrooms.NotificationService = (*NotificationService)(nil)
	_ shrooms.NotificationOutbox  = (*NotificationService)(nil)
	_ shrooms.AccountService      = (*AccountService)(nil)
	_ shrooms.SessionService      = (*SessionService)(nil)
	_ shrooms.ActorService        = (*ActorService)(nil)
	_ shrooms.CategoryService     = (*CategoryService)(nil)
	_ shrooms.FollowService       = (*FollowService)(nil)
	_ shrooms.ItemService         = (*ItemService)(nil)
	_ shrooms.NodeService         = (*NodeService)(nil)
	_ shrooms.PartnerService      = (*PartnerService)(nil)
	_ shrooms.PlaceService        = (*PlaceService)(nil)
	_ shrooms.ProfileService      = (*ProfileService)(nil)
	_ shrooms.OutboxService       = (*OutboxService)(nil)
	_ shrooms.InboxService        = (*InboxService)(nil)
	_ shrooms.RemoteCacheService  = (*RemoteCacheService)(nil)
	_ shrooms.RemoteMediaService  = (*RemoteMediaService)(nil)
	_ shrooms.SearchService       = (*SearchService)(nil)
	_ shrooms.SettingsService     = (*SettingsService)(nil)
	_ shrooms.MediaService        = (*MediaService)(nil)
	_ shrooms.GroupService        = (*GroupService)(nil)
	_ shrooms.StockService        = (*StockService)(nil)
	_ shrooms.UserService         = (*UserService)(nil)
	_ shrooms.MailQueue           = (*MailQueue)(nil)
)

// AccountService stores sign-up, e-mail verification, password resets and invitations.
type AccountService struct{ db *DB }

// NewAccountService returns the account service over db.
func NewAccountService(db *DB) *AccountService { return &AccountService{db: db} }

// SessionService stores log-in sessions.
type SessionService struct{ db *DB }

// NewSessionService returns the session service over db.
func NewSessionService(db *DB) *SessionService { return &SessionService{db: db} }

// ActorService stores local and remote ActivityPub actors.
type ActorService struct{ db *DB }

// NewActorService returns the actor service over db.
func NewActorService(db *DB) *ActorService { return &ActorService{db: db} }

// CategoryService stores item categories and their custom fields.
type CategoryService struct{ db *DB }

// NewCategoryService returns the category service over db.
func NewCategoryService(db *DB) *CategoryService { return &CategoryService{db: db} }

// FollowService stores follows in both directions.
type FollowService struct{ db *DB }

// NewFollowService returns the follow service over db.
func NewFollowService(db *DB) *FollowService { return &FollowService{db: db} }

// ItemService stores inventory items, their photos, history and comments.
type ItemService struct{ db *DB }

// NewItemService returns the item service over db.
func NewItemService(db *DB) *ItemService { return &ItemService{db: db} }

// NodeService stores the node itself: initialisation and statistics.
type NodeService struct{ db *DB }

// NewNodeService returns the node service over db.
func NewNodeService(db *DB) *NodeService { return &NodeService{db: db} }

// PartnerService stores partnerships: invitations, links, blocks and catalogue syncs.
type PartnerService struct{ db *DB }

// NewPartnerService returns the partner service over db.
func NewPartnerService(db *DB) *PartnerService { return &PartnerService{db: db} }

// PlaceService stores places where items are kept.
type PlaceService struct{ db *DB }

// NewPlaceService returns the place service over db.
func NewPlaceService(db *DB) *PlaceService { return &PlaceService{db: db} }

// ProfileService stores member profiles.
type ProfileService struct{ db *DB }

// NewProfileService returns the profile service over db.
func NewProfileService(db *DB) *ProfileService { return &ProfileService{db: db} }

// OutboxService stores the outbox and its deliveries.
type OutboxService struct{ db *DB }

// NewOutboxService returns the outbox service over db.
func NewOutboxService(db *DB) *OutboxService { return &OutboxService{db: db} }

// InboxService stores the inbox queue of received activities.
type InboxService struct{ db *DB }

// NewInboxService returns the inbox service over db.
func NewInboxService(db *DB) *InboxService { return &InboxService{db: db} }

// RemoteCacheService stores the cache of partners' shared objects. It embeds the remote media
// service, as shrooms.RemoteCacheService embeds shrooms.RemoteMediaService.
type RemoteCacheService struct {
	db *DB
	*RemoteMediaService
}

// NewRemoteCacheService returns the remote cache service over db.
func NewRemoteCacheService(db *DB) *RemoteCacheService {
	return &RemoteCacheService{db: db, RemoteMediaService: NewRemoteMediaService(db)}
}

// RemoteMediaService stores the fetching of partners' media.
type RemoteMediaService struct{ db *DB }

// NewRemoteMediaService returns the remote media service over db.
func NewRemoteMediaService(db *DB) *RemoteMediaService { return &RemoteMediaService{db: db} }

// SearchService stores full-text search and the instances it includes.
type SearchService struct{ db *DB }

// NewSearchService returns the search service over db.
func NewSearchService(db *DB) *SearchService { return &SearchService{db: db} }

// SettingsService stores the node's settings and first-run setup.
type SettingsService struct{ db *DB }

// NewSettingsService returns the settings service over db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

// MediaService stores stored media files.
type MediaService struct{ db *DB }

// NewMediaService returns the media service over db.
func NewMediaService(db *DB) *MediaService { return &MediaService{db: db} }

// GroupService stores groups and module grants.
type GroupService struct{ db *DB }

// NewGroupService returns the group service over db.
func NewGroupService(db *DB) *GroupService { return &GroupService{db: db} }

// StockService stores stock movements.
type StockService struct{ db *DB }

// NewStockService returns the stock service over db.
func NewStockService(db *DB) *StockService { return &StockService{db: db} }

// UserService stores user accounts and API tokens.
type UserService struct{ db *DB }

// NewUserService returns the user service over db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

// MailQueue stores the outgoing mail queue.
type MailQueue struct{ db *DB }

// NewMailQueue returns the mail queue over db.
func NewMailQueue(db *DB) *MailQueue { return &MailQueue{db: db} }
