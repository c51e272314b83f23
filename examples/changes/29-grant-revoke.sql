-- Everyone may read the catalog of products; orders are no longer readable by everyone.
GRANT SELECT ON products TO PUBLIC;
REVOKE SELECT ON orders FROM PUBLIC;
