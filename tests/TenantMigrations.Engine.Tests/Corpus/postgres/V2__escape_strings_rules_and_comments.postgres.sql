--  Strings in every PostgreSQL spelling. Backslashes escape only inside E'...'.
CREATE SCHEMA reporting;

CREATE TABLE reporting."odd;table" (
    id integer PRIMARY KEY,
    "semi;colon column" text,
    path text
);

-- E'' strings: \' is a quote, \\ a backslash; a plain string keeps its backslash.
INSERT INTO reporting."odd;table" VALUES
    (1, E'it\'s; escaped', 'C:\temp\'),
    (2, e'tab\there; \\', E'\\'),
    (3, 'doubled '' quote; ok', U&'d\0061t\+000061'),
    (4, $$dollar 'quoted'; text$$, $tag$with $$ inside; fine$tag$);

COMMENT ON TABLE reporting."odd;table" IS 'holds; odd /* not a comment */ names';

CREATE TABLE reporting.events (id serial PRIMARY KEY, kind text NOT NULL, payload text);
CREATE TABLE reporting.event_log (id serial PRIMARY KEY, event_id integer, note text);

/* A multi-action rule: psql keeps statements inside parentheses together. */
CREATE RULE log_events AS ON INSERT TO reporting.events DO ALSO (
    INSERT INTO reporting.event_log (event_id, note) VALUES (NEW.id, 'first;');
    INSERT INTO reporting.event_log (event_id, note) VALUES (NEW.id, 'second')
);

CREATE UNIQUE INDEX events_kind_idx ON reporting.events (kind) WHERE kind <> 'x;y';

/* outer
   /* inner one;
      /* and deeper */
   */
   BEGIN; COMMIT; -- still inside the outer comment
*/
INSERT INTO reporting.events (kind, payload) VALUES ('signup', E'line1\nline2; \'quoted\'');

CREATE VIEW reporting.event_summary AS
SELECT e.kind, count(l.id) AS logged -- trailing comment; here
FROM reporting.events e
LEFT JOIN reporting.event_log l ON l.event_id = e.id
GROUP BY e.kind;

CREATE FUNCTION reporting.label(id integer) RETURNS text LANGUAGE sql STABLE
AS 'SELECT ''label;'' || $1::text';
