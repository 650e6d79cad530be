# search results model
eventscope_add_test(tst_searchresultsmodel SOURCES tst_searchresultsmodel.cpp LIBS eventscope_models)
