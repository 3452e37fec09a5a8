-- Incidents the CLI and views analyse when no host service provides them.
-- metadata is a JSON object and alerts a JSON array of {name, description},
-- both stored as TEXT.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    alerts TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX incidents_created_at_id ON incidents (created_at, id);
