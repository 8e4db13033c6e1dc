/* Listings of a host-backed directory during and right after creates, unlinks
 * and renames: stable entries appear exactly once, changes show at once. */
#include "gw_common.h"
#include "readdir_concurrent.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  readdir_concurrent(".");
  return 0;
}
