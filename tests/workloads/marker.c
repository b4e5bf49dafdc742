/* marker: create (truncate) the file named by argv[1] and exit 0.  Tests use
 * it to prove that a target did, or did not, run. */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: marker FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("marker: created %s\n", argv[1]);
    return 0;
}
