-- Reserved: schema 8 is another branch's (add-ons). The merge replaces this file with it.
SELECT 1;
