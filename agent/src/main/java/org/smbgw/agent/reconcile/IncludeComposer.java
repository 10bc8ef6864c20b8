package org.smbgw.agent.reconcile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.samba.PublishedShare;
import org.smbgw.proto.v1.ShareSpec;

/**
 * Decides the include file's content: every desired share whose storage is ready, rendered anew;
 * every share withheld this pass (blocked or failed) keeps the section it had, if any, so a
 * failed quota change does not take a serving share offline, and a share that never worked never
 * appears. Pure.
 */
public final class IncludeComposer {
  private final IncludeRenderer renderer;

  public IncludeComposer(IncludeRenderer renderer) {
    this.renderer = renderer;
  }

  public record Composition(String content, Set<String> sections) {}

  /**
   * @param paths where each share's files are, by share name
   * @param xattrPaths roots whose storage keeps extended attributes; a path not known to has DOS
   *     attributes kept in mode bits, which works on any storage
   * @param acls per root, whether its files carry Windows ACLs (see {@link WindowsAcls}); none
   *     where not said
   */
  public Composition compose(List<ShareSpec> desired, Map<String, String> paths, Set<Path> xattrPaths,
      Map<Path, PublishedShare.Acls> acls, Set<String> withheld, String previousInclude) {
    List<PublishedShare> published = new ArrayList<>();
    Map<String, String> kept = new TreeMap<>();
    Map<String, String> previous = IncludeRenderer.sections(previousInclude);
    for (ShareSpec s : desired) {
      if (withheld.contains(s.getName()) || !paths.containsKey(s.getName())) {
        String old = previous.get(s.getName());
        if (old != null) {
          kept.put(s.getName(), old);
        }
      } else {
        String path = paths.get(s.getName());
        published.add(new PublishedShare(s, path, xattrPaths.contains(Path.of(path)),
            acls.getOrDefault(Path.of(path), PublishedShare.Acls.NONE)));
      }
    }
    Set<String> sections = new TreeSet<>(kept.keySet());
    published.forEach(p -> sections.add(p.spec().getName()));
    return new Composition(renderer.render(published, kept), sections);
  }
}
