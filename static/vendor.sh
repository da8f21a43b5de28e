#!/usr/bin/env bash
# Vendors the front-end packages SHROOMS serves, at pinned versions, from
# the npm registry into static/vendor/. No page loads anything from a CDN.
# Run it after changing a version below, and commit what it writes.
set -euo pipefail
cd "$(dirname "$0")"

BOOTSTRAP_VERSION=5.3.9
LEAFLET_VERSION=1.9.4

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # fetch PACKAGE VERSION: unpacks the npm tarball into $tmp/PACKAGE
	(cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
	mkdir -p "$tmp/$1"
	tar -xzf "$tmp/$1-$2.tgz" -C "$tmp/$1" --strip-components=1
}

fetch bootstrap "$BOOTSTRAP_VERSION"
rm -rf vendor/bootstrap
mkdir -p vendor/bootstrap
cp "$tmp/bootstrap/dist/css/bootstrap.min.css" vendor/bootstrap/
cp "$tmp/bootstrap/dist/js/bootstrap.bundle.min.js" vendor/bootstrap/
cp "$tmp/bootstrap/LICENSE" vendor/bootstrap/LICENSE
# The source maps are not shipped; drop the comments that point at them.
sed -i '/sourceMappingURL/d' vendor/bootstrap/bootstrap.min.css vendor/bootstrap/bootstrap.bundle.min.js

fetch leaflet "$LEAFLET_VERSION"
rm -rf vendor/leaflet
mkdir -p vendor/leaflet/images
cp "$tmp/leaflet/dist/leaflet.js" "$tmp/leaflet/dist/leaflet.css" vendor/leaflet/
cp "$tmp/leaflet/dist/images/"*.png vendor/leaflet/images/
cp "$tmp/leaflet/LICENSE" vendor/leaflet/LICENSE
sed -i '/sourceMappingURL/d' vendor/leaflet/leaflet.js

printf 'bootstrap %s\nleaflet %s\n' "$BOOTSTRAP_VERSION" "$LEAFLET_VERSION" >vendor/VERSIONS
