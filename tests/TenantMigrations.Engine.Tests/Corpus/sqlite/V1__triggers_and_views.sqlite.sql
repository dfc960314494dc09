-- Notes with triggers. A comment; with a quote ' and "another".
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL DEFAULT 'semi;colon',
    [bracket;column] TEXT,
    `tick;column` INTEGER,
    "double;column" REAL,
    updated INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE note_log (id INTEGER PRIMARY KEY, note_id INTEGER, action TEXT);

CREATE INDEX notes_updated ON notes (updated) WHERE body <> ';';

CREATE TRIGGER notes_after_insert AFTER INSERT ON notes
BEGIN
    INSERT INTO note_log (note_id, action) VALUES (NEW.id, 'insert; logged');
    UPDATE notes SET updated = CASE WHEN NEW.body = 'END;' THEN 2 ELSE 1 END WHERE id = NEW.id;
END;

/* A trigger with a WHEN clause holding CASE ... END, and nested CASEs in the body. */
CREATE TRIGGER IF NOT EXISTS notes_guard BEFORE UPDATE OF body ON notes
WHEN CASE WHEN NEW.body IS NULL THEN 1 ELSE 0 END = 1
BEGIN
    SELECT RAISE(ABORT, 'body; cannot be null') WHERE (CASE WHEN 1 THEN CASE WHEN 2 THEN 3 END END) = 3;
    INSERT INTO note_log (note_id, action) VALUES (OLD.id, 'guard');
END;

CREATE VIEW note_summary AS
    SELECT n.id, n.body, count(l.id) AS log_entries -- a comment; here
    FROM notes n LEFT JOIN note_log l ON l.note_id = n.id
    GROUP BY n.id;

CREATE TRIGGER note_summary_insert INSTEAD OF INSERT ON note_summary
BEGIN
    INSERT INTO notes (id, body) VALUES (NEW.id, NEW.body);
END;

INSERT INTO notes (id, body, [bracket;column]) VALUES (1, 'it''s; fine', 'x'), (2, 'END;', 'y');
INSERT INTO note_summary (id, body, log_entries) VALUES (3, 'through; the view', 0);
