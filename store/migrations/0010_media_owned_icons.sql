-- 0010_media_owned_icons: earlier releases let a profile or the logo
-- point at any image, and published it as the actor's icon. An avatar
-- now counts only when its member uploaded it, the logo only when the
-- organisation or an admin did (store/media_ref.go); the actors drop the
-- icons that no longer count. The references themselves stay, read as no
-- image, so that nothing a member chose is lost.

UPDATE actors SET icon_url = '' WHERE local = 1 AND icon_url <> '' AND id IN (
	SELECT u.actor_id FROM users u WHERE NOT EXISTS (
		SELECT 1 FROM profiles pr JOIN media m ON m.id = pr.avatar_id
		WHERE pr.user_id = u.id AND pr.avatar_audience = 'public' AND m.owner_id = u.id));

UPDATE actors SET icon_url = '' WHERE local = 1 AND icon_url <> ''
	AND handle = (SELECT value FROM settings WHERE key = 'org_handle')
	AND NOT EXISTS (
		SELECT 1 FROM settings s JOIN media m ON m.id = CAST(s.value AS INTEGER)
		WHERE s.key = 'logo_id' AND s.value <> ''
			AND (m.owner_id IS NULL OR m.owner_id IN (SELECT id FROM users WHERE role = 'admin')));
