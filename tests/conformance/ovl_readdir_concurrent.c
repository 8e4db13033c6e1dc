/* Listings of a merged overlay directory (lower entries a, b, sub) during and
 * right after creates, unlinks and renames: stable entries appear exactly once,
 * changes (and whiteouts of lower entries) show at once. */
#include "ovl.h"
#include "readdir_concurrent.h"

int main(int argc, char **argv) {
  init(argc, argv);
  readdir_concurrent(P("dir"));
  T(unlink(P("dir/a")));
  printf("a listed after unlink of the lower file: %d\n", rc_has(P("dir"), "a"));
  ovl_write("dir/a", "again\n", 0644);
  printf("a listed after recreate: %d\n", rc_has(P("dir"), "a"));
  ovl_list("dir");
  ovl_reset();
  return 0;
}
