# Shared by the packaging scripts (source it): what Cargo.toml's [package] says, read once
# here so that Cargo.toml stays the only place the version and the project's address live.

# cargo_field NAME [Cargo.toml]: the string value of NAME in the [package] table.
cargo_field() {
  local name=$1 manifest=${2:-Cargo.toml}
  sed -n "/^\[package\]/,/^\[/ s/^$name[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$manifest" |
    head -n 1
}
