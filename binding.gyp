{
  "targets": [
    {
      "target_name": "custody_prehashed",
      "sources": ["native/prehashed.cc"]
    }
  ]
}
