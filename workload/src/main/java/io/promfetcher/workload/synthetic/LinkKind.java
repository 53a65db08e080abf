package io.promfetcher.workload.synthetic;

/** The shapes of short links the synthetic world contains: the ordinary one and every awkward case. */
public enum LinkKind {
    /** 0–5 redirects (mixed 301/302/303/307/308, some relative) to a 200 page. */
    PLAIN,
    /** A chain whose later Locations are relative, in every form (/path, sibling, ../parent). */
    RELATIVE_LOCATION,
    /** A redirects to B, which redirects back to A. */
    LOOP,
    /** A hop to a host that does not answer (the connection is closed without a response). */
    DEAD_HOST,
    /** A hop that answers slowly, but within the resolver's timeout. */
    SLOW_HOP,
    /** A hop that answers after the resolver's read timeout. */
    STALLED_HOP,
    /** A chain ending on a 404 page. */
    NOT_FOUND,
    /** A short link answering 500. */
    SERVER_ERROR,
    /** A short link on a non-ASCII (IDN) host. */
    NON_ASCII_HOST,
    /** A link with a scheme other than http/https. */
    NOT_HTTP,
    /** An endless chain of distinct redirects. */
    TOO_MANY_HOPS,
    /** A redirect status without a Location header. */
    MISSING_LOCATION,
    /** Text that is not a URL at all (a space in the host). */
    INVALID_URL
}
