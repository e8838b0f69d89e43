#!/usr/bin/env bash
# Vendor GOV.UK Frontend's built CSS, JS, fonts and images into panelflow/static/.
#
# The copied files are committed, so a fresh clone runs without npm. Run this again only to
# change version (and keep it the one govuk-frontend-jinja targets):
#
#   scripts/vendor-govuk-frontend.sh            # 6.3.0
#   GOVUK_FRONTEND_VERSION=6.x.y scripts/vendor-govuk-frontend.sh
set -euo pipefail

VERSION=${GOVUK_FRONTEND_VERSION:-6.3.0}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
STATIC=panelflow/static

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "vendor: fetching govuk-frontend@$VERSION from npm"
(cd "$work" && npm pack --silent "govuk-frontend@$VERSION" >/dev/null)
tar -xzf "$work"/govuk-frontend-"$VERSION".tgz -C "$work"
dist="$work/package/dist/govuk"

# Replace only what this script owns; init.js and anything else in static/ stay.
mkdir -p "$STATIC"
rm -rf "$STATIC/fonts" "$STATIC/images" "$STATIC/rebrand" "$STATIC/manifest.json"
cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$STATIC/"
cp -R "$dist/assets/." "$STATIC/"
echo "$VERSION" >"$STATIC/GOVUK_FRONTEND_VERSION"

echo "vendor: govuk-frontend $VERSION copied into $STATIC:"
(cd "$STATIC" && find . -type f | sort | sed 's/^\.\//  /')
