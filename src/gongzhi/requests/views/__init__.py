"""The pages of the requests loop: the resident portal and the workbench."""
