//! `tessera keys`: the bootstrap secret creates the first admin key and nothing else; a key's
//! secret is shown once and stored hashed; a revoked key is refused.
