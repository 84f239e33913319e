/**
 * The MDX component registry: every tag a lesson may use, listed by name in tags.ts.
 * A tag not registered fails the build (scripts/check-content.ts), naming the lesson file.
 * docs/authoring.md is the catalogue. A widget of several parts is a folder whose index.tsx is the tag
 * (`./NatTable` is NatTable/index.tsx); heavy widgets load lazily through lazyWidget() (lazy-widget.tsx).
 */
import type { MDXComponents } from 'mdx/types';
import { ByteView } from './ByteView';
import { Callout } from './Callout';
import { Challenge } from './Challenge';
import { ChatLab } from './ChatLab';
import { CodeBlock } from './CodeBlock';
import { Diagram } from './Diagram';
import { FirewallEvaluator } from './FirewallEvaluator';
import { IpExplorer } from './IpExplorer';
import { NatTable } from './NatTable';
import { NetworkLab } from './NetworkLab';
import { Program } from './Program';
import { Quiz } from './Quiz';
import { Recap } from './Recap';
import { SocketLab } from './SocketLab';
import { TryIt } from './TryIt';

export const lessonComponents = {
  pre: CodeBlock,
  ByteView,
  Callout,
  Challenge,
  ChatLab,
  Diagram,
  FirewallEvaluator,
  IpExplorer,
  NatTable,
  NetworkLab,
  Program,
  Quiz,
  Recap,
  SocketLab,
  TryIt,
} satisfies MDXComponents;
