--
-- PostgreSQL database dump, in the shape `pg_dump --schema-only --clean --if-exists
-- --no-owner` writes it, of a multi-tenant help desk: organizations and their users under
-- row-level security, tickets partitioned by month with attached indexes, messages with a
-- deferrable key, full-text triggers, functions that name columns, views and a
-- materialized view over the tables the examples change, grants to three roles.
-- Written for bellows' examples (examples/production/) and tests; load
-- examples/schema/production-roles.sql first.
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

DROP POLICY IF EXISTS users_same_org ON public.users;
DROP POLICY IF EXISTS tickets_same_org ON public.tickets;
DROP TRIGGER IF EXISTS users_touch ON public.users;
DROP TRIGGER IF EXISTS messages_search ON public.messages;
DROP TRIGGER IF EXISTS organizations_touch ON public.organizations;
DROP MATERIALIZED VIEW IF EXISTS public.ticket_counts;
DROP VIEW IF EXISTS public.user_directory;
DROP VIEW IF EXISTS public.open_tickets;
ALTER TABLE IF EXISTS ONLY public.ticket_labels DROP CONSTRAINT IF EXISTS ticket_labels_label_id_fkey;
ALTER TABLE IF EXISTS ONLY public.labels DROP CONSTRAINT IF EXISTS labels_organization_id_fkey;
ALTER TABLE IF EXISTS ONLY public.attachments DROP CONSTRAINT IF EXISTS attachments_message_id_fkey;
ALTER TABLE IF EXISTS ONLY public.messages DROP CONSTRAINT IF EXISTS messages_ticket_fkey;
ALTER TABLE IF EXISTS public.tickets DROP CONSTRAINT IF EXISTS tickets_organization_id_fkey;
ALTER TABLE IF EXISTS ONLY public.users DROP CONSTRAINT IF EXISTS users_organization_id_fkey;
ALTER TABLE IF EXISTS ONLY public.messages DROP CONSTRAINT IF EXISTS messages_pkey;
ALTER TABLE IF EXISTS ONLY public.users DROP CONSTRAINT IF EXISTS users_pkey;
DROP INDEX IF EXISTS public.tickets_org_status_idx;
DROP INDEX IF EXISTS public.messages_ticket_idx;
DROP TABLE IF EXISTS public.attachments;
DROP TABLE IF EXISTS public.messages;
DROP TABLE IF EXISTS public.ticket_labels;
DROP TABLE IF EXISTS public.labels;
DROP TABLE IF EXISTS public.tickets_default;
DROP TABLE IF EXISTS public.tickets_2026_02;
DROP TABLE IF EXISTS public.tickets_2026_01;
DROP TABLE IF EXISTS public.tickets;
DROP TABLE IF EXISTS public.audit_log;
DROP TABLE IF EXISTS public.users;
DROP TABLE IF EXISTS public.organizations;
DROP SEQUENCE IF EXISTS public.tickets_id_seq;
DROP SEQUENCE IF EXISTS public.messages_id_seq;
DROP FUNCTION IF EXISTS public.touch_updated_at();
DROP FUNCTION IF EXISTS public.user_label(bigint);
DROP FUNCTION IF EXISTS public.current_org();
DROP DOMAIN IF EXISTS public.email_address;
DROP TYPE IF EXISTS public.ticket_status;
DROP TEXT SEARCH CONFIGURATION IF EXISTS public.helpdesk;
DROP EXTENSION IF EXISTS citext;

--
-- Name: ticket_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.ticket_status AS ENUM (
    'new',
    'open',
    'pending',
    'solved',
    'closed'
);

CREATE DOMAIN public.email_address AS text
    CONSTRAINT email_address_check CHECK ((VALUE ~ '@'::text));

CREATE TEXT SEARCH CONFIGURATION public.helpdesk (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION public.helpdesk
    ADD MAPPING FOR asciiword WITH simple;

--
-- Name: current_org(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.current_org() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
  SELECT nullif(current_setting('helpdesk.org', true), '')::bigint
$$;

--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  NEW.updated_at := now();
  return NEW;
end;
$$;

--
-- Name: user_label(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.user_label(uid bigint) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
declare
  result text;
begin
  select coalesce(u.display_name, u.email) into result
  from public.users u
  where u.id = uid;
  return result;
end;
$$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: organizations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizations (
    id bigint NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    seats integer DEFAULT 5 NOT NULL,
    plan text DEFAULT 'free'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organizations_seats_check CHECK ((seats > 0))
)
WITH (fillfactor='90');

COMMENT ON TABLE public.organizations IS 'Customers: one row per tenant.';

COMMENT ON COLUMN public.organizations.seats IS 'Paid seats; billing reads it.';

ALTER TABLE public.organizations ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.organizations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    organization_id bigint NOT NULL,
    email text NOT NULL,
    display_name text,
    role text DEFAULT 'agent'::text NOT NULL,
    legacy_flags integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.users ALTER COLUMN email SET STATISTICS 500;

COMMENT ON COLUMN public.users.email IS 'Sign-in address; unique per organization.';

ALTER TABLE public.users ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: tickets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tickets (
    id bigint NOT NULL,
    organization_id bigint NOT NULL,
    requester_id bigint NOT NULL,
    assignee_id bigint,
    subject text NOT NULL,
    status public.ticket_status DEFAULT 'new'::public.ticket_status NOT NULL,
    priority integer DEFAULT 3 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
)
PARTITION BY RANGE (created_at);

CREATE TABLE public.tickets_2026_01 (
    id bigint NOT NULL,
    organization_id bigint NOT NULL,
    requester_id bigint NOT NULL,
    assignee_id bigint,
    subject text NOT NULL,
    status public.ticket_status DEFAULT 'new'::public.ticket_status NOT NULL,
    priority integer DEFAULT 3 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.tickets_2026_02 (
    id bigint NOT NULL,
    organization_id bigint NOT NULL,
    requester_id bigint NOT NULL,
    assignee_id bigint,
    subject text NOT NULL,
    status public.ticket_status DEFAULT 'new'::public.ticket_status NOT NULL,
    priority integer DEFAULT 3 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.tickets_default (
    id bigint NOT NULL,
    organization_id bigint NOT NULL,
    requester_id bigint NOT NULL,
    assignee_id bigint,
    subject text NOT NULL,
    status public.ticket_status DEFAULT 'new'::public.ticket_status NOT NULL,
    priority integer DEFAULT 3 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.tickets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tickets_id_seq OWNED BY public.tickets.id;

--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id integer NOT NULL,
    ticket_id bigint NOT NULL,
    ticket_created_at timestamp with time zone NOT NULL,
    author_id bigint,
    body text NOT NULL,
    internal boolean DEFAULT false NOT NULL,
    search tsvector,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.messages_id_seq OWNED BY public.messages.id;

--
-- Name: attachments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachments (
    id bigint NOT NULL,
    message_id integer NOT NULL,
    file_name text NOT NULL,
    byte_size bigint NOT NULL
);

--
-- Name: labels; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.labels (
    id bigint NOT NULL,
    organization_id bigint NOT NULL,
    name text NOT NULL,
    color text
);

CREATE TABLE public.ticket_labels (
    ticket_id bigint NOT NULL,
    ticket_created_at timestamp with time zone NOT NULL,
    label_id bigint NOT NULL
);

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor_id bigint,
    action text NOT NULL,
    detail jsonb
);

--
-- Name: open_tickets; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.open_tickets WITH (security_invoker='true') AS
 SELECT t.id,
    t.organization_id,
    t.subject,
    t.priority,
    t.created_at
   FROM public.tickets t
  WHERE (t.status = ANY (ARRAY['new'::public.ticket_status, 'open'::public.ticket_status]));

--
-- Name: user_directory; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.user_directory AS
 SELECT u.id,
    u.organization_id,
    u.email,
    u.display_name
   FROM public.users u;

COMMENT ON VIEW public.user_directory IS 'What the address book shows.';

--
-- Name: ticket_counts; Type: MATERIALIZED VIEW; Schema: public; Owner: -
--

CREATE MATERIALIZED VIEW public.ticket_counts AS
 SELECT o.id AS organization_id,
    o.seats,
    count(t.id) AS tickets
   FROM (public.organizations o
     LEFT JOIN public.tickets t ON ((t.organization_id = o.id)))
  GROUP BY o.id, o.seats
  WITH NO DATA;

--
-- Partitions
--

ALTER TABLE ONLY public.tickets ATTACH PARTITION public.tickets_2026_01 FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');

ALTER TABLE ONLY public.tickets ATTACH PARTITION public.tickets_2026_02 FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');

ALTER TABLE ONLY public.tickets ATTACH PARTITION public.tickets_default DEFAULT;

ALTER TABLE ONLY public.tickets ALTER COLUMN id SET DEFAULT nextval('public.tickets_id_seq'::regclass);

ALTER TABLE ONLY public.messages ALTER COLUMN id SET DEFAULT nextval('public.messages_id_seq'::regclass);

--
-- Keys
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_org_email_key UNIQUE (organization_id, email) WITH (fillfactor='80');

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id, created_at);

ALTER TABLE ONLY public.tickets_2026_01
    ADD CONSTRAINT tickets_2026_01_pkey PRIMARY KEY (id, created_at);

ALTER TABLE ONLY public.tickets_2026_02
    ADD CONSTRAINT tickets_2026_02_pkey PRIMARY KEY (id, created_at);

ALTER TABLE ONLY public.tickets_default
    ADD CONSTRAINT tickets_default_pkey PRIMARY KEY (id, created_at);

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.labels
    ADD CONSTRAINT labels_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.ticket_labels
    ADD CONSTRAINT ticket_labels_pkey PRIMARY KEY (ticket_id, ticket_created_at, label_id);

--
-- Indexes
--

CREATE INDEX tickets_org_status_idx ON ONLY public.tickets USING btree (organization_id, status);

CREATE INDEX tickets_2026_01_organization_id_status_idx ON public.tickets_2026_01 USING btree (organization_id, status);

CREATE INDEX tickets_2026_02_organization_id_status_idx ON public.tickets_2026_02 USING btree (organization_id, status);

CREATE INDEX tickets_default_organization_id_status_idx ON public.tickets_default USING btree (organization_id, status);

CREATE INDEX messages_ticket_idx ON public.messages USING btree (ticket_id, ticket_created_at);

CREATE INDEX messages_search_idx ON public.messages USING gin (search);

CREATE INDEX attachments_message_id_idx ON public.attachments USING btree (message_id);

CREATE UNIQUE INDEX ticket_counts_organization_id_idx ON public.ticket_counts USING btree (organization_id);

CREATE INDEX users_lower_email_idx ON public.users USING btree (lower(email)) INCLUDE (organization_id);

ALTER INDEX public.tickets_pkey ATTACH PARTITION public.tickets_2026_01_pkey;

ALTER INDEX public.tickets_pkey ATTACH PARTITION public.tickets_2026_02_pkey;

ALTER INDEX public.tickets_pkey ATTACH PARTITION public.tickets_default_pkey;

ALTER INDEX public.tickets_org_status_idx ATTACH PARTITION public.tickets_2026_01_organization_id_status_idx;

ALTER INDEX public.tickets_org_status_idx ATTACH PARTITION public.tickets_2026_02_organization_id_status_idx;

ALTER INDEX public.tickets_org_status_idx ATTACH PARTITION public.tickets_default_organization_id_status_idx;

--
-- Triggers
--

CREATE TRIGGER organizations_touch BEFORE UPDATE ON public.organizations FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER messages_search BEFORE INSERT OR UPDATE ON public.messages FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger('search', 'public.helpdesk', 'body');

--
-- Foreign keys
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.tickets
    ADD CONSTRAINT tickets_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id);

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_ticket_fkey FOREIGN KEY (ticket_id, ticket_created_at) REFERENCES public.tickets(id, created_at) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE DEFERRABLE;

ALTER TABLE ONLY public.labels
    ADD CONSTRAINT labels_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id);

ALTER TABLE ONLY public.ticket_labels
    ADD CONSTRAINT ticket_labels_label_id_fkey FOREIGN KEY (label_id) REFERENCES public.labels(id) ON DELETE CASCADE;

--
-- Row-level security
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_same_org ON public.users USING ((organization_id = public.current_org()));

ALTER TABLE public.tickets ENABLE ROW LEVEL SECURITY;

CREATE POLICY tickets_same_org ON public.tickets USING ((organization_id = public.current_org())) WITH CHECK ((organization_id = public.current_org()));

--
-- Privileges
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.organizations TO helpdesk_app;
GRANT SELECT ON TABLE public.organizations TO helpdesk_readonly;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO helpdesk_app;
GRANT SELECT ON TABLE public.users TO helpdesk_readonly;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.tickets TO helpdesk_app;
GRANT SELECT ON TABLE public.tickets TO helpdesk_support;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.messages TO helpdesk_app;
GRANT SELECT ON TABLE public.messages TO helpdesk_support;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.attachments TO helpdesk_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.labels TO helpdesk_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ticket_labels TO helpdesk_app;
GRANT SELECT ON TABLE public.open_tickets TO helpdesk_support;
GRANT SELECT ON TABLE public.user_directory TO helpdesk_readonly;
GRANT SELECT ON TABLE public.ticket_counts TO helpdesk_readonly;
GRANT USAGE ON SEQUENCE public.messages_id_seq TO helpdesk_app;
GRANT USAGE ON SEQUENCE public.tickets_id_seq TO helpdesk_app;

--
-- PostgreSQL database dump complete
--
