// canonicalization: see issue
