/* Extended attributes (user.*) on a host-backed directory. */
#include "gw_common.h"
#include "xattr_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  xattr_checks();
  return 0;
}
