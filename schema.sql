-- The declared target schema of migrator's worked example: a small blog.
-- Edit it, then run `migrator diff <name>` to generate the migration that gets a database here.

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  published_at TEXT
);

CREATE INDEX posts_author ON posts (author_id);
CREATE INDEX posts_published ON posts (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE comments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  body TEXT NOT NULL CHECK (length(body) > 0),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX comments_post ON comments (post_id);

CREATE VIEW published_posts AS
  SELECT p.id, p.title, u.display_name AS author
  FROM posts p JOIN users u ON u.id = p.author_id
  WHERE p.published_at IS NOT NULL;
